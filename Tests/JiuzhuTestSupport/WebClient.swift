import Foundation
import JiuzhuStore
import Vapor
import VaporTesting

/// A browser-like client over the in-memory tester: keeps cookies, finds the
/// CSRF token in the last page, posts forms.
public final class WebClient: @unchecked Sendable {
    public let app: Application
    public private(set) var cookies: [String: String] = [:]
    public private(set) var lastCSRF: String?

    public init(app: Application) { self.app = app }

    @discardableResult
    public func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form; adds the CSRF token from the last page unless `csrf` is given ("" sends none).
    @discardableResult
    public func post(_ path: String, _ form: [String: String] = [:], csrf: String? = nil) async throws -> TestingHTTPResponse {
        var fields = form
        let token = csrf ?? lastCSRF
        if let token, !token.isEmpty { fields["_csrf"] = token }
        let body = fields.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.sorted().joined(separator: "&")
        return try await send(.POST, path, body: body)
    }

    /// Posts name/value pairs in order (repeated names for checkbox lists), with the CSRF token.
    @discardableResult
    public func post(_ path: String, pairs: [(String, String)]) async throws -> TestingHTTPResponse {
        var all = pairs
        if let token = lastCSRF { all.append(("_csrf", token)) }
        return try await send(.POST, path, body: all.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&"))
    }

    /// Posts a multipart form (as a browser does for a form with a file), with the CSRF token.
    @discardableResult
    public func postMultipart(_ path: String, pairs: [(String, String)],
                              files: [(name: String, filename: String, type: String, bytes: [UInt8])],
                              headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        let boundary = "----jiuzhu-test-" + UUID().uuidString
        var body = ByteBufferAllocator().buffer(capacity: 1024)
        var all = pairs
        if let token = lastCSRF { all.insert(("_csrf", token), at: 0) }
        for (name, value) in all {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for file in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        if !cookies.isEmpty {
            headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        return try await app.testing().performTest(request: TestingHTTPRequest(method: .POST, url: URI(path: path), headers: headers, body: body))
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if !cookies.isEmpty {
            headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        if let body {
            headers.contentType = .urlEncodedForm
            buffer.writeString(body)
        }
        let response = try await app.testing().performTest(
            request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: buffer))
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let expired = header.lowercased().contains("expires=thu, 01 jan 1970") || header.lowercased().contains("max-age=0")
            if expired || parts[1].isEmpty { cookies[parts[0]] = nil } else { cookies[parts[0]] = parts[1] }
        }
        if let token = Self.csrf(in: String(buffer: response.body)) { lastCSRF = token }
        return response
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        let match = String(html[range])
        return match.components(separatedBy: "value=\"").last?.dropLast().description
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Logs in with password and the current TOTP code; returns the final response.
    @discardableResult
    public func login(_ username: String, password: String, secret: String, at now: Date) async throws -> TestingHTTPResponse {
        try await get("/login")
        let code = StaffRepository.code(secret: secret, at: now) ?? ""
        return try await post("/login", ["username": username, "password": password, "totp": code])
    }
}
