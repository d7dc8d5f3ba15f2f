import JiuzhuCore
import JiuzhuStore
import Vapor

/// The caller of a JSON API route: who the token was issued to, where it may
/// read and write, and what it may do.
public typealias APIClientContext = APITokenGrant

struct APIClientKey: StorageKey {
    typealias Value = APIClientContext
}

extension Request {
    /// The authenticated API client; routes with an `apiToken` rule always have one.
    var apiClient: APIClientContext {
        get throws {
            guard let client = storage[APIClientKey.self] else { throw Abort(.unauthorized) }
            return client
        }
    }
}

/// Checks `Authorization: Bearer <token>` against the hashed tokens in the database.
enum APIClientAuthenticator {
    static func authenticate(_ request: Request) async throws -> APIClientContext? {
        guard let bearer = request.headers.bearerAuthorization?.token, !bearer.isEmpty else { return nil }
        return try await APITokenStore.authenticate(bearer, on: request.db, now: request.now)
    }
}
