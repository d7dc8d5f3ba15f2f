/// JiuzhuExchange talks to other systems: department data sources (file
/// import, pull, signed push), outbound notifications, and the partner
/// interface. It depends on JiuzhuStore and JiuzhuCore only; the web layer
/// calls into it. Its features arrive with the verification centre.
public enum Exchange {
    /// The version of the exchange formats this build speaks (`shared/cases/FORMAT.md`).
    public static let formatVersion = 1
}
