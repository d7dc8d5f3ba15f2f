// The names of the verification's codes, for pages and forms: one table
// (VerificationText) for the report lines and every page.

extension VehicleType {
    public var name: Bilingual { VerificationText.vehicleTypeName(self) }
}

extension TopUpGroup {
    public var name: Bilingual { VerificationText.groupName(self) }
}

extension VerificationFlag {
    public var name: Bilingual { VerificationText.flagName(self) }
}

extension SourceStatus {
    public var name: Bilingual { VerificationText.sourceStatusName(self) }
}

extension VerificationConclusion {
    /// For lists that do not say urban or rural.
    public var name: Bilingual {
        switch self {
        case .dibao: Bilingual(zh: "符合低保", en: "eligible for dibao")
        default: VerificationText.reportConclusionLabel(self, residence: .urban)
        }
    }

    /// As the report states it: urban or rural dibao, low income, …
    public func label(residence: ResidenceKind) -> Bilingual {
        VerificationText.reportConclusionLabel(self, residence: residence)
    }
}

extension IncomeTreatment {
    /// 收入项目名称 of an income kind code (the code itself when unknown).
    public static func name(ofKind kind: String) -> Bilingual { VerificationText.incomeKindName(kind) }
}

extension ExpenseKinds {
    public static func name(ofKind kind: String) -> Bilingual { VerificationText.expenseKindName(kind) }
}
