import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 特困抽查 — the county reviewer draws ≥30% of the county's tekun cases
/// awaiting confirmation for on-site checks (a seeded draw the audit trail
/// can re-derive); each case's confirmation then stands on the draw.
struct SamplingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", "sampling", access: .permission(.sampleTekun), use: show)
        routes.post("cases", "sampling", access: .permission(.sampleTekun), use: draw)
    }

    struct DrawForm: Content {
        var percent: String?
    }

    func show(_ req: Request) async throws -> Response {
        try await render(req, message: req.query[String.self, at: "done"] == "drawn" ? CT.drawn : nil, error: nil)
    }

    private func render(_ req: Request, message: Bilingual?, error: UserError?, status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        guard staff.region.level == .county else {
            return try await req.page(CT.sampling, status: .forbidden) { c in
                [.h1(.text(c.t(CT.sampling))), .p(.class("empty-state"), .text(c.t(CT.samplingCountyOnly)))]
            }
        }
        let repository = TekunSamplingRepository(db: req.db)
        let undrawn = try await repository.undrawn(county: staff.region)
        let samples = try await repository.samples(county: staff.region)
        var members: [UUID: [TekunSampleCaseRecord]] = [:]
        for sample in samples { members[try sample.requireID()] = try await repository.members(of: sample) }
        let names = try await regionNames(Set(undrawn.map(\.regionCode)), req)
        let minimum = try TekunSampling.minimumOnSiteChecks(batchSize: undrawn.count)
        return try await req.page(CT.sampling, status: status) { c in
            let waiting: PageNode = undrawn.isEmpty ? .p(.id("undrawn-empty"), .class("empty-state"), .text(c.t(CT.noneToSample))) :
                .group([
                    .p(.text(c.t(CT.toSample(undrawn.count, minimum)))),
                    .div(.class("scroll"), .table(.id("undrawn"),
                        .thead(.tr(.th(.text(c.t(CT.region))), .th(.text(c.t(CT.acceptedOn))), .th(.text(c.t(CT.caseTitle))))),
                        .tbody(.forEach(undrawn) { record in
                            let id = record.id?.uuidString ?? ""
                            return .tr(.td(.text(names[record.regionCode] ?? record.regionCode)), .td(.text(record.acceptedOn)),
                                       .td(.a(.href("/cases/\(id)"), .text(c.t(CT.openCase)))))
                        }))),
                    .form(.id("draw-form"), .method(.post), .action("/cases/sampling"), csrfField(c),
                          field("percent", label: CT.samplePercent, value: "\(TekunSampling.minimumPercent)", type: .number, errors: [:], c),
                          .button(.type(.submit), .class("primary"), .text(c.t(CT.draw)))),
                ])
            return [.h1(.text(c.t(CT.sampling))),
                    notice(message.map(c.t)),
                    formError(error),
                    .p(.class("hint"), .text(c.t(CT.samplingRule))),
                    waiting,
                    .h2(.text(c.t(CT.batches))),
                    samples.isEmpty ? .p(.class("empty-state"), .text(c.t(CT.noBatches))) :
                    .ul(.id("batches"), .forEach(samples) { sample in
                        let rows = members[sample.id ?? UUID()] ?? []
                        return .li(.data(named: "batch", value: sample.batch),
                            .strong(.text(sample.batch)),
                            .text(" · \(sample.drawnOn) · \(sample.percent)% · \(c.t(CT.seed)) \(sample.seed) · "
                                  + c.t(CT.sampledOf(sample.sampledCount, sample.caseCount))),
                            .ul(.forEach(rows.sorted { ($0.sampled ? 0 : 1, $0.caseID.uuidString) < ($1.sampled ? 0 : 1, $1.caseID.uuidString) }) { row in
                                .li(.class(row.sampled ? "sampled" : "not-sampled"),
                                    .a(.href("/cases/\(row.caseID.uuidString)"), .text(c.t(row.sampled ? CT.chosen : CT.notChosen))))
                            }))
                    })]
        }
    }

    func draw(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form = try req.content.decode(DrawForm.self)
        do {
            guard let percent = form.percent.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
                throw UserError("sampling.percent", field: "percent", zh: "请填写抽查比例（30 至 100）", en: "Give the sampling share (30 to 100)")
            }
            _ = try await TekunSamplingRepository(db: req.db).draw(
                county: staff.region, percent: percent, seed: UInt64.random(in: 1...UInt64.max),
                on: LocalDate.today(now: req.now), actor: staff.user.username,
                audit: (req.auditChain, req.auditEntry("case.sample_drawn")), now: req.now)
            return req.redirect(to: "/cases/sampling?done=drawn")
        } catch let error as UserError {
            return try await render(req, message: nil, error: error, status: error.code == "sampling.taken" ? .conflict : .badRequest)
        }
    }
}
