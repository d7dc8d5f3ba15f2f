extension CaseClock {
    /// Support is paid from the month after approval (dibao: domain §3
    /// "first payment the month after approval"; tekun: "support from next month").
    /// Nil only past the last supported year.
    public static func firstPaidMonth(approvedOn date: LocalDate) -> YearMonth? {
        YearMonth(date).adding(months: 1)
    }
}
