import FluentKit
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

extension Request {
    /// Chinese unless the user chose English (session, or cookie before login).
    var language: JiuzhuCore.Language {
        if let staff = staffIfPresent, let language = JiuzhuCore.Language(rawValue: staff.session.language) { return language }
        return cookies[Cookies.language].flatMap { JiuzhuCore.Language(rawValue: $0.string) } ?? .zh
    }

    func viewContext() async throws -> ViewContext {
        var header: ViewContext.StaffHeader?
        if let staff = staffIfPresent, staff.stage == .active {
            let name = (try? await RegionRepository(db: db).fullName(staff.region)) ?? staff.region.value
            header = .init(displayName: staff.user.displayName, role: staff.role, regionName: name, regionCode: staff.region.value)
        }
        return ViewContext(language: language, demo: options.demo, csrf: csrfToken(), staff: header, path: url.path)
    }

    /// Renders a full page.
    func page(_ title: Bilingual, status: HTTPStatus = .ok, scripts: [String] = [],
              content: (ViewContext) -> [PageNode]) async throws -> Response {
        let context = try await viewContext()
        let html = Page(title: title, context: context, content: content(context), scripts: scripts).render()
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: html))
    }

    /// Records an audit event for this request's user (or the given name before login).
    func audit(_ action: String, objectType: String = "", objectID: String = "", outcome: AuditEntry.Outcome = .success,
               detail: String = "", actor: StaffUser? = nil, on database: (any Database)? = nil) async throws {
        let user = actor ?? staffIfPresent?.user
        let entry = AuditEntry(actor: user?.username ?? "-", role: user?.roleCode ?? "", region: user?.regionCode ?? "",
                               action: action, objectType: objectType, objectID: objectID, outcome: outcome,
                               client: clientAddress, detail: detail)
        try await auditChain.append(entry, on: database ?? db, now: now)
    }

    /// A safe place to go back to: a local path only.
    func localPath(_ candidate: String?, fallback: String = "/") -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.contains("\\") else { return fallback }
        return candidate
    }
}

/// Turns every error into a page (or a short JSON answer for API clients):
/// user errors are 4xx with the bilingual message, access refusals are 403
/// and audited, anything unexpected is a 500 without details.
struct PageErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await render(error, for: request)
        }
    }

    private func render(_ error: any Error, for request: Request) async -> Response {
        let status: HTTPStatus
        let message: Bilingual
        switch error {
        case let error as UserError:
            status = .badRequest
            message = error.message
        case let error as RegionAccess:
            status = .forbidden
            message = error.userError.message
            await auditDenial(request, detail: "region scope")
        case let error as AccessDenied:
            status = .forbidden
            message = S.forbidden
            await auditDenial(request, detail: error.reason)
        case let error as DecodingError:
            request.logger.notice("unreadable request body: \(error)")
            status = .badRequest
            message = Bilingual(zh: "提交的内容格式不正确", en: "What was sent could not be read")
        case let errors as HouseholdRules.Errors:
            status = .badRequest
            message = errors.all.first?.message ?? S.badRequest
        case is CSRFRejected:
            status = .forbidden
            message = S.csrf
            await auditDenial(request, detail: "csrf token")
        case let abort as any AbortError:
            status = abort.status
            switch abort.status {
            case .notFound: message = S.notFound
            case .forbidden: message = S.forbidden
            case .unauthorized: message = Bilingual(zh: "请先登录", en: "Please log in")
            case .payloadTooLarge: message = Bilingual(zh: "提交的内容过大", en: "What you sent is too large")
            default: message = abort.status.code < 500 ? S.badRequest : S.serverError
            }
        default:
            request.logger.report(error: error)
            status = .internalServerError
            message = S.serverError
        }
        let title = status == .forbidden ? S.forbidden : (status == .notFound ? S.notFound : (status.code < 500 ? S.badRequest : S.serverError))
        do {
            return try await request.page(title, status: status) { c in
                [.div(.id("error-page"), .class("error-page"),
                     .h1(.text(c.t(title))),
                     .p(.text(message.zh)),
                     .p(.lang("en"), .text(message.en)),
                     .p(.a(.href("/"), .text(c.t(S.backHome)))))]
            }
        } catch {
            return Response(status: status, body: .init(string: "\(message.zh) / \(message.en)"))
        }
    }

    private func auditDenial(_ request: Request, detail: String) async {
        do {
            try await request.audit("access.denied", objectType: "route", objectID: "\(request.method) \(request.url.path)",
                                    outcome: .denied, detail: detail)
        } catch {
            request.logger.error("could not audit a denial: \(error)")
        }
    }
}

extension Node where Context == HTML.BodyContext {
    /// `lang` on an element (Plot offers it on the document only).
    static func lang(_ code: String) -> Node { .attribute(named: "lang", value: code) }
}
