import Foundation
import JiuzhuCore
import JiuzhuStore
import OpenAPIRuntime
import Vapor

/// The failure responses every operation declares (`openapi.yaml`: 400, 403,
/// 404 with `Errors`). Each generated `Output` conforms through its enum
/// cases, so a handler's refusals are typed by the spec.
protocol APIFailureOutput {
    static func badRequest(_ response: Components.Responses.BadRequest) -> Self
    static func forbidden(_ response: Components.Responses.Forbidden) -> Self
    static func notFound(_ response: Components.Responses.NotFound) -> Self
}

extension Operations.ListPersons.Output: APIFailureOutput {}
extension Operations.GetPerson.Output: APIFailureOutput {}
extension Operations.GetHousehold.Output: APIFailureOutput {}
extension Operations.CreateApplication.Output: APIFailureOutput {}
extension Operations.GetApplication.Output: APIFailureOutput {}

/// An id that names no record (or is not an id at all).
struct APINotFound: Error {}

enum APIErrors {
    static func detail(_ error: UserError) -> Components.Schemas.ErrorDetail {
        .init(code: error.code, field: error.field, messageZh: error.message.zh, messageEn: error.message.en)
    }

    static func errors(_ list: [UserError]) -> Components.Schemas.Errors {
        .init(errors: list.map(detail))
    }

    static let notFound = UserError("api.not_found", zh: "记录不存在", en: "No such record")
    static let forbidden = UserError("access.denied", zh: "无权访问", en: "Access denied")
    static let unauthorized = UserError("api.unauthorized", zh: "缺少有效的访问令牌", en: "A valid bearer token is required")
    static let serverError = UserError("api.server_error", zh: "服务器内部错误", en: "Internal server error")

    /// Runs a handler's work for the current request's API client, turning the
    /// domain's refusals into the operation's declared responses.
    static func answer<Output: APIFailureOutput>(
        _ work: (Request, APIClientContext) async throws -> Output
    ) async throws -> Output {
        let request = try APIRequest.request
        let client = try request.apiClient
        do {
            return try await work(request, client)
        } catch let errors as HouseholdRules.Errors {
            return .badRequest(.init(body: .json(Self.errors(errors.all))))
        } catch let error as UserError {
            return .badRequest(.init(body: .json(Self.errors([error]))))
        } catch let error as RegionAccess {
            await auditDenial(request, detail: "region scope")
            return .forbidden(.init(body: .json(Self.errors([error.userError]))))
        } catch let error as AccessDenied {
            await auditDenial(request, detail: error.reason)
            return .forbidden(.init(body: .json(Self.errors([forbidden]))))
        } catch is APINotFound {
            return .notFound(.init(body: .json(Self.errors([notFound]))))
        }
    }

    /// A refusal in the audit chain, with the token's name as the actor.
    static func auditDenial(_ request: Request, detail: String) async {
        // The access check refuses a token that lacks the permission before it stores the client.
        var client = request.storage[APIClientKey.self]
        if client == nil { client = (try? await APIClientAuthenticator.authenticate(request)) ?? nil }
        let entry = AuditEntry(actor: client?.name ?? "-", role: client == nil ? "" : "api",
                               region: client?.scope.root.value ?? "", action: "access.denied", objectType: "route",
                               objectID: "\(request.method) \(request.url.path)", outcome: .denied,
                               client: request.clientAddress, detail: detail)
        do {
            try await request.auditChain.append(entry, on: request.db, now: request.now)
        } catch {
            request.logger.error("could not audit a denial: \(error)")
        }
    }

    /// A JSON error response outside the generated handlers (access checks,
    /// undecodable requests, unexpected failures).
    static func response(_ status: HTTPStatus, _ list: [UserError], headers extra: HTTPHeaders = [:]) -> Response {
        var headers = extra
        headers.contentType = .json
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(errors(list))) ?? Data(#"{"errors":[]}"#.utf8)
        return Response(status: status, headers: headers, body: .init(data: data))
    }

    /// The field a decoding error points at, written as the API's fields are (`members[0].coResident`).
    static func field(_ path: [any CodingKey]) -> String? {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? nil : text
    }

    static func decodingError(_ error: DecodingError) -> UserError {
        switch error {
        case .keyNotFound(let key, let context):
            return UserError("request.missing", field: field(context.codingPath + [key]),
                             zh: "缺少必填项", en: "This field is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return UserError("request.type", field: field(context.codingPath),
                             zh: "此项的类型不正确", en: "This field has the wrong type")
        case .dataCorrupted(let context):
            return UserError("request.format", field: field(context.codingPath),
                             zh: "提交的内容不是有效的 JSON", en: "The request body is not valid JSON")
        @unknown default:
            return UserError("request.format", zh: "提交的内容格式不正确", en: "The request could not be read")
        }
    }
}

/// Answers every request under `/api/` in JSON, whatever stopped it: the
/// access check (401, 403), the generated request decoding (400), the body
/// limit (413), a missing route (404) or an unexpected failure (500). Sits
/// inside the page error middleware, so none of these becomes an HTML page.
struct APIErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.hasPrefix("/api/v1/") || request.url.path == "/api/v1" else {
            return try await next.respond(to: request)
        }
        do {
            let response = try await next.respond(to: request)
            if response.status == .unauthorized, response.body.count == 0 {
                return APIErrors.response(.unauthorized, [APIErrors.unauthorized], headers: ["WWW-Authenticate": "Bearer"])
            }
            return response
        } catch {
            return await render(error, for: request)
        }
    }

    private func render(_ error: any Error, for request: Request) async -> Response {
        switch error {
        case let error as ServerError:
            // The runtime wraps what went wrong: reading the request, or a handler's unexpected error.
            if let decoding = error.underlyingError as? DecodingError {
                return APIErrors.response(.badRequest, [APIErrors.decodingError(decoding)])
            }
            if error.operationInput == nil, error.httpStatus.code < 500 {
                return APIErrors.response(HTTPStatus(statusCode: error.httpStatus.code),
                                          [UserError("request.invalid", zh: "请求不正确：\(error.causeDescription)",
                                                     en: "The request is not valid: \(error.causeDescription)")])
            }
            return await render(error.underlyingError, for: request)
        case let error as AccessDenied:
            await APIErrors.auditDenial(request, detail: error.reason)
            return APIErrors.response(.forbidden, [APIErrors.forbidden])
        case let error as RegionAccess:
            await APIErrors.auditDenial(request, detail: "region scope")
            return APIErrors.response(.forbidden, [error.userError])
        case let errors as HouseholdRules.Errors:
            return APIErrors.response(.badRequest, errors.all)
        case let error as UserError:
            return APIErrors.response(.badRequest, [error])
        case is APINotFound:
            return APIErrors.response(.notFound, [APIErrors.notFound])
        case let abort as any AbortError where abort.status.code < 500:
            let message: UserError = switch abort.status {
            case .notFound: APIErrors.notFound
            case .unauthorized: APIErrors.unauthorized
            case .forbidden: APIErrors.forbidden
            case .payloadTooLarge: UserError("request.too_large", zh: "提交的内容过大", en: "The request body is too large")
            default: UserError("request.invalid", zh: "请求不正确", en: "The request is not valid")
            }
            return APIErrors.response(abort.status, [message],
                                      headers: abort.status == .unauthorized ? ["WWW-Authenticate": "Bearer"] : [:])
        default:
            request.logger.report(error: error)
            return APIErrors.response(.internalServerError, [APIErrors.serverError])
        }
    }
}
