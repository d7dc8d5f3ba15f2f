/// JiuzhuExchange talks to other systems: department data sources (file
/// import, pull, signed push), signed report envelopes, outbound
/// notifications, and the partner interface. It depends on JiuzhuStore and
/// JiuzhuCore only; the web layer calls into it.
public enum Exchange {
    /// The version of the exchange formats this build speaks (`shared/cases/FORMAT.md`).
    public static let formatVersion = 1
}
