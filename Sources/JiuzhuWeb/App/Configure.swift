import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// Wires the application: database, migrations, middleware, routes.
public func configure(_ app: Application, options: JiuzhuOptions) async throws {
    app.storage[OptionsKey.self] = options
    let temporaryFiles = try options.database.configure(app.databases)
    if !temporaryFiles.isEmpty { app.lifecycle.use(RemoveFilesAtShutdown(files: temporaryFiles)) }
    JiuzhuMigrations.register(on: app.migrations)

    // Middleware, outermost first. Routing happens before these run, so each
    // one can read the matched route's access rule.
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware(hsts: options.secureCookies))
    app.middleware.use(PageErrorMiddleware())
    app.middleware.use(APIErrorMiddleware())  // JSON instead of pages under /api/v1
    app.middleware.use(StaffSessionMiddleware())
    app.middleware.use(CSRFMiddleware())
    app.middleware.use(AccessMiddleware())

    // Room for a scanned entrustment (3 MB) in a multipart form; the JSON API caps its own bodies at 1 MiB.
    app.routes.defaultMaxBodySize = "4mb"
    // Only our static files are gzipped (the phone script shrinks to a quarter on slow links); pages
    // carrying a CSRF token are never compressed (BREACH).
    app.http.server.configuration.responseCompression = .disabled
    try routes(app)
}

/// Migrates and, in demo mode, seeds an empty database.
@discardableResult
/// `demoPeople` synthetic persons are added to an empty demo, so that search
/// and household pages have something to show.
public func prepareDatabase(_ app: Application, seedDemo: Bool, demoPeople: Int = 0) async throws -> (regions: Int, staff: Int) {
    try await app.jiuzhu.database.prepare(app.db)
    try await app.autoMigrate()
    guard seedDemo else { return (0, 0) }
    let regions = try await DemoRegions.seed(on: app.db)
    let staff = try await DemoStaff.seed(on: app.db, keys: app.jiuzhu.keys, bcryptCost: min(app.jiuzhu.bcryptCost, 10))
    try await DemoPolicies.seed(on: app.db, keys: app.jiuzhu.keys, now: app.jiuzhu.clock())  // verification works out of the box
    try await ReserveFundRepository.seedDemo(on: app.db, keys: app.jiuzhu.keys, today: LocalDate.today(now: app.jiuzhu.clock()),
                                             now: app.jiuzhu.clock())
    if demoPeople > 0, try await PersonRecord.query(on: app.db).count() == 0 {
        let loader = PopulationLoader(db: app.db, keys: app.jiuzhu.keys)
        try await loader.load(persons: demoPeople, villages: try await loader.villages(under: try RegionCode("34")),
                              seed: 2026, asOf: LocalDate.today(now: app.jiuzhu.clock()), now: app.jiuzhu.clock())
        try await DemoVisits.seed(on: app.db, keys: app.jiuzhu.keys, today: LocalDate.today(now: app.jiuzhu.clock()),
                                  now: app.jiuzhu.clock())
    }
    return (regions, staff)
}

func routes(_ app: Application) throws {
    let controllers: [any RouteCollection] = [
        StaticController(),
        LoginController(),
        HomeController(),
        RegionsController(),
        UsersController(),
        CalendarController(),
        AuditController(),
        IntakeController(),
        PeopleController(),
        ReferralsController(),
        PublicController(),
        ChecklistController(),
        PolicyController(),
        VerificationController(),
        VisitsController(),
        VisitPlansController(),
        VisitSupervisionController(),
        CasesController(),
        SamplingController(),
        ReserveFundController(),
        PublicityController(),
        PaymentsController(),
    ]
    for controller in controllers { try app.register(collection: controller) }
    if app.jiuzhu.demoClock != nil { try app.register(collection: DemoClockController()) }
    try JSONAPI.register(on: app)  // /api/v1, generated from openapi.yaml
}

/// Removes the files of an in-memory database when the application shuts
/// down (on Linux an open file is only unlinked; its last connection frees it).
struct RemoveFilesAtShutdown: LifecycleHandler {
    let files: [URL]

    func shutdown(_ application: Application) {
        for file in files { try? FileManager.default.removeItem(at: file) }  // absent files are the usual case
    }
}
