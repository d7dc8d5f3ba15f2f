import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import OpenAPIRuntime
import Vapor

/// `POST /api/v1/departments/{source}/messages` — a department's signed push
/// (access rule `.signedDepartmentMessage`: no session and no token; the
/// receiver checks the Ed25519 signature against the department's
/// registered key). The signature covers the body's content, so the body
/// is read as sent, not as the generated type decoded it.
extension APIHandler {
    func pushDepartmentMessage(_ input: Operations.PushDepartmentMessage.Input) async throws -> Operations.PushDepartmentMessage.Output {
        let request = try APIRequest.request
        let body = request.body.data.map { Array($0.readableBytesView) } ?? []
        let outcome = try await DepartmentPushReceiver(db: request.db, keys: request.options.keys)
            .receive(source: input.path.source, body: body, client: request.clientAddress, now: request.now)
        switch outcome {
        case .accepted(let stored, let duplicates, let invalid):
            return .accepted(.init(body: .json(.init(
                stored: stored, duplicates: duplicates,
                invalid: invalid.map { .init(index: $0.index ?? 0, field: $0.field, messageZh: $0.messageZh, messageEn: $0.messageEn) }))))
        case .malformed(let error):
            return .badRequest(.init(body: .json(APIErrors.errors([error]))))
        case .unauthorized(let error):
            return .unauthorized(.init(body: .json(APIErrors.errors([error]))))
        case .replayed(let error):
            return .conflict(.init(body: .json(APIErrors.errors([error]))))
        }
    }
}
