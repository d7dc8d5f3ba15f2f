import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 政策参数: the system administrator looks up, per region of their area,
/// the verification policy in force today and where it comes from (the
/// region's own version or an ancestor's), the region's own versions, and
/// adds a new version. Versions are never edited: a correction is a new
/// version with a later date.
struct PolicyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "policies", access: .permission(.manageRegions), use: show)
        routes.post("admin", "policies", access: .permission(.manageRegions), use: add)
    }

    func show(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let region = try (try? req.query.get(String.self, at: "region")).map { try RegionCode($0) } ?? staff.region
        let saved = (try? req.query.get(String.self, at: "saved")) == "1"
        return try await render(req, region: region, form: nil, errors: [:], notice: saved ? PolicyText.saved : nil)
    }

    func add(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form = try req.content.decode(PolicyFormValues.self)
        let region = try RegionCode(form.region ?? "", field: "region")
        try req.requireInScope(region)
        try await PolicyRules.checkRegion(region, on: req.db)
        let version: PolicyVersion
        switch form.version() {
        case .success(let value): version = value
        case .failure(let errors):
            return try await render(req, region: region, form: form, errors: errors.byField, status: .badRequest)
        }
        do {
            try await PolicyRepository(db: req.db, audit: req.auditChain)
                .add(version, actor: staff.user.username, role: staff.role.rawValue, now: req.now, client: req.clientAddress)
        } catch let error as UserError {
            return try await render(req, region: region, form: form, errors: [error.field ?? "form": error], status: .badRequest)
        }
        return req.redirect(to: "/admin/policies?region=\(region.value)&saved=1")
    }

    private func render(_ req: Request, region: RegionCode, form: PolicyFormValues?, errors: [String: UserError],
                        notice noticeText: Bilingual? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        try req.requireInScope(region)
        try await PolicyRules.checkRegion(region, on: req.db)
        let today = LocalDate.today(now: req.now)
        let policies = PolicyRepository(db: req.db, audit: req.auditChain)
        let inForce = try await policies.inForce(region: region, on: today)
        let own = try await policies.versions(of: region)
        let regions = RegionRepository(db: req.db)
        let lineage = try await regions.lineageNames(region)
        let name = lineage.map(\.1).joined()
        let choices = try await regions.subtree(staff.scope, depth: .county)
            .filter { record in (try? RegionCode(record.id ?? "")).map { PolicyRules.levels.contains($0.level) } ?? false }
        let values = form ?? inForce.map { PolicyFormValues(policy: $0.policy, region: region, effectiveFrom: today) }
            ?? Self.blankForm(region: region, today: today)

        return try await req.page(PolicyText.title, status: status) { c in
            [.h1(.text("\(c.t(PolicyText.title)) · \(name)")),
             notice(noticeText.map { c.t($0) }),
             .form(.id("policy-region"), .method(.get), .action("/admin/policies"),
                   selectField("region", label: PolicyText.region,
                               options: choices.map { ($0.id ?? "", "\($0.id ?? "") \($0.name)") },
                               selected: region.value, errors: [:], c),
                   .button(.type(.submit), .text(c.t(PolicyText.show)))),
             .section(.id("policy-in-force"), .class("card"),
                      .h2(.text(c.t(PolicyText.inForceToday))),
                      .unwrap(inForce, { version in
                          .group(
                              .p(.id("policy-origin"), .attribute(named: "data-region", value: attr(version.region.value)),
                                 .text(c.t(PolicyText.versionFrom(version.effectiveFrom.description)) + " · "
                                       + c.t(version.region == region ? PolicyText.own
                                             : PolicyText.inherited(from: lineage.first { $0.0 == version.region }?.1 ?? version.region.value,
                                                                    code: version.region.value)))),
                              Self.figures(version.policy, c))
                      }, else: .p(.class("warning"), .text(c.t(PolicyText.nothingInForce))))),
             .h2(.text(c.t(PolicyText.ownVersions))),
             .if(own.isEmpty, .p(.class("muted"), .text(c.t(PolicyText.noOwnVersions)))),
             .if(!own.isEmpty, .div(.class("scroll"), .table(.id("policy-versions"),
                 .tr(.th(.text(c.t(PolicyText.effectiveFrom))), .th(.text(c.t(PolicyText.urbanShort))), .th(.text(c.t(PolicyText.ruralShort))),
                     .th(.text(c.t(PolicyText.edgeShort))), .th(.text(c.t(PolicyText.monthsShort))), .th(.text(c.t(PolicyText.assetShort))),
                     .th(.text(c.t(PolicyText.vehicleShort))), .th(.text(c.t(PolicyText.homesShort))), .th(.text(c.t(PolicyText.setBy)))),
                 .forEach(own) { record in
                     let policy = record.policy
                     return .tr(.data(named: "from", value: attr(record.effectiveFrom)),
                                .td(.text(record.effectiveFrom)),
                                .td(.text(policy?.standardUrban.formatted ?? "?")),
                                .td(.text(policy?.standardRural.formatted ?? "?")),
                                .td(.text(policy.map { "×" + $0.edgeMultiplier.text } ?? "?")),
                                .td(.text(policy.map { String($0.referenceMonths) } ?? "?")),
                                .td(.text(policy.map { String($0.financialAssetMonths) } ?? "?")),
                                .td(.text(policy?.vehicleValueCap.formatted ?? "?")),
                                .td(.text(policy.map { String($0.maxHomes) } ?? "?")),
                                .td(.text(record.actor)))
                 }))),
             .section(.class("card"),
                      .h2(.text(c.t(PolicyText.addVersion))),
                      .p(.class("muted"), .text(c.t(PolicyText.addHint))),
                      Self.form(values, region: region, errors: errors, c))]
        }
    }

    /// The main figures of a policy, as a definition list.
    private static func figures(_ policy: VerificationPolicy, _ c: ViewContext) -> PageNode {
        let rows: [(Bilingual, String)] = [
            (PolicyText.urbanShort, policy.standardUrban.formatted),
            (PolicyText.ruralShort, policy.standardRural.formatted),
            (PolicyText.edgeShort, "×" + policy.edgeMultiplier.text),
            (PolicyText.monthsShort, String(policy.referenceMonths)),
            (PolicyText.assetShort, String(policy.financialAssetMonths)),
            (PolicyText.vehicleShort, policy.vehicleValueCap.formatted),
            (PolicyText.homesShort, String(policy.maxHomes)),
            (PolicyText.topUps, policy.topUps.isEmpty ? c.t(PolicyText.notDefined)
                : policy.topUps.map { c.t(PolicyText.group($0.group)) + " \($0.percentOfStandard)" }.joined(separator: "、")),
        ]
        return .dl(.id("policy-figures"), .forEach(rows) { row in
            .group(.dt(.text(c.t(row.0))), .dd(.text(row.1)))
        })
    }

    /// The empty form of a region that has no policy at all yet: only the standard sources are ticked.
    private static func blankForm(region: RegionCode, today: LocalDate) -> PolicyFormValues {
        var values = PolicyFormValues()
        values.region = region.value
        values.effectiveFrom = today.description
        values.requiredSources = DepartmentSourceCatalog.standard
        return values
    }

    /// The income kinds in the order a caseworker reads them: the counted
    /// ones, support paid, then those the national rules exclude.
    private static let incomeKinds = ["wage", "business", "property", "transferIn", "pension", "unemployment", "other",
                                      "transferOut", "assistance", "preferentialPension", "scholarship", "bravery",
                                      "familyPlanning", "basicPension"]

    private static func form(_ v: PolicyFormValues, region: RegionCode, errors: [String: UserError],
                             _ c: ViewContext) -> PageNode {
        // Known values first, then any other value the policy (or the form) already has, so nothing is lost.
        func withExtras(_ known: [String], _ chosen: [String]?) -> [String] {
            known + (chosen ?? []).filter { !known.contains($0) }
        }
        let vehicles = withExtras(VehicleType.allCases.map(\.rawValue), v.exemptVehicleTypes)
        let incomes = withExtras(incomeKinds + IncomeTreatment.nationalKinds.sorted().filter { !incomeKinds.contains($0) }, v.excludedIncomeKinds)
        let expenses = withExtras(ExpenseKinds.known.sorted(), v.deductibleKinds)
        let sources = withExtras(DepartmentSourceCatalog.all.map(\.code), v.requiredSources)

        func checkboxes(_ key: String, legend: Bilingual, values: [String], chosen: [String]?,
                        label: @escaping (String) -> Bilingual) -> Node<HTML.FormContext> {
            let chosen = Set(chosen ?? [])
            let error = errors[key]
            return .fieldset(.id("f-\(key)"), .attribute(named: "class", value: error == nil ? nil : "invalid"),
                             .element(named: "legend", text: c.t(legend)),
                             .forEach(values) { value in
                                 .label(.class("check"),
                                        .input(.type(.checkbox), .attribute(named: "name", value: "\(key)[]"), .value(attr(value)),
                                               .checked(chosen.contains(value))),
                                        .text(" " + c.t(label(value))))
                             },
                             .unwrap(error) { .p(.class("field-error"), .text("\($0.message.zh) / \($0.message.en)")) })
        }
        func flag(_ key: String, _ label: Bilingual, _ value: String?) -> Node<HTML.FormContext> {
            .label(.class("check"),
                   .input(.type(.checkbox), .attribute(named: "name", value: key), .value("1"), .checked(value == "1")),
                   .text(" " + c.t(label)))
        }

        return .form(.id("policy-form"), .method(.post), .action("/admin/policies"), csrfField(c),
            .input(.type(.hidden), .name("region"), .value(attr(region.value))),
            formError(errors.isEmpty ? nil : UserError("form", zh: S.fixErrors.zh, en: S.fixErrors.en)),
            .unwrap(errors["form"]) { .p(.class("field-error"), .text("\($0.message.zh) / \($0.message.en)")) },
            .fieldset(.class("member"), .element(named: "legend", text: c.t(PolicyText.addVersion)),
                field("effectiveFrom", label: PolicyText.effectiveFrom, value: v.effectiveFrom ?? "", type: .date, errors: errors, c),
                field("standardUrban", label: PolicyText.standardUrban, value: v.standardUrban ?? "", errors: errors, c),
                field("standardRural", label: PolicyText.standardRural, value: v.standardRural ?? "", errors: errors, c),
                field("edgeMultiplier", label: PolicyText.edgeMultiplier, value: v.edgeMultiplier ?? "", errors: errors, c),
                field("referenceMonths", label: PolicyText.referenceMonths, value: v.referenceMonths ?? "", errors: errors, c),
                field("financialAssetMonths", label: PolicyText.financialAssetMonths, value: v.financialAssetMonths ?? "", errors: errors, c)),
            .fieldset(.class("member"), .element(named: "legend", text: c.t(PolicyText.rules)),
                field("vehicleValueCap", label: PolicyText.vehicleValueCap, value: v.vehicleValueCap ?? "", errors: errors, c),
                field("maxHomes", label: PolicyText.maxHomes, value: v.maxHomes ?? "", errors: errors, c),
                flag("nonResidentialDisqualifies", PolicyText.nonResidentialDisqualifies, v.nonResidentialDisqualifies),
                flag("companyRoleDisqualifies", PolicyText.companyRoleDisqualifies, v.companyRoleDisqualifies)),
            checkboxes("exemptVehicleTypes", legend: PolicyText.exemptVehicleTypes, values: vehicles, chosen: v.exemptVehicleTypes) { code in
                VehicleType(rawValue: code).map(PolicyText.vehicleType) ?? Bilingual(zh: code, en: code)
            },
            checkboxes("excludedIncomeKinds", legend: PolicyText.excludedIncomeKinds, values: incomes, chosen: v.excludedIncomeKinds,
                       label: PolicyText.incomeKind),
            checkboxes("deductibleKinds", legend: PolicyText.deductibleKinds, values: expenses, chosen: v.deductibleKinds,
                       label: PolicyText.expenseKind),
            checkboxes("requiredSources", legend: PolicyText.requiredSources, values: sources, chosen: v.requiredSources,
                       label: PolicyText.source),
            .fieldset(.class("member"), .element(named: "legend", text: c.t(PolicyText.topUps)),
                .forEach(TopUpGroup.allCases) { group in
                    field("topUp.\(group.rawValue)", inputName: "topUp[\(group.rawValue)]", label: PolicyText.group(group),
                          value: v.topUp?[group.rawValue] ?? "", errors: errors, c, required: false)
                }),
            .button(.id("policy-save"), .type(.submit), .class("primary"), .text(c.t(S.save))))
    }
}
