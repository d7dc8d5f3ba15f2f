import Foundation
import JiuzhuCore
import NIOCore
import Vapor

/// A department source behind an HTTP service (a department's gateway, or
/// `jiuzhu department-sim`): `POST <baseURL>/query` with `{"source", "asOf",
/// "members": [ID numbers]}`, answered with `{"records": [record objects of
/// cases/FORMAT.md, optional recordId and timestamp], "answeredAt"}`.
///
/// 404, or a body with `"status": "unavailable"`, is `.unavailable`; a 5xx
/// or other status, a timeout, a refused connection, a body that is not the
/// answer, or a record that does not read (or names someone not asked
/// about) is `.failed`, naming what went wrong.
public struct HTTPDepartmentSource: DepartmentSourceAdapter {
    public let source: String
    public let baseURL: String
    public let timeout: TimeAmount
    let client: HTTPClient

    /// Longest answer read; a larger one is `.failed`.
    public static let maxAnswerBytes = 32 << 20

    public init(source: String, baseURL: String, client: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.source = source
        self.baseURL = baseURL
        self.client = client
        self.timeout = timeout
    }

    public var queryURL: String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/query"
    }

    public func fetch(members: [ResidentID], asOf: LocalDate) async throws(DepartmentFetchError) -> DepartmentAnswer {
        let body = JSONValue.object(["source": .string(source), "asOf": .string(asOf.description),
                                     "members": .array(members.map { .string($0.value) })]).rendered(pretty: false)
        let response: HTTPClient.Response
        do {
            var headers = HTTPHeaders()
            headers.add(name: .contentType, value: "application/json")
            headers.add(name: .accept, value: "application/json")
            let request = try HTTPClient.Request(url: queryURL, method: .POST, headers: headers, body: .string(body))
            response = try await client.execute(request: request, deadline: .now() + timeout).get()
        } catch {
            throw .failed("\(source): \(Self.describe(error))")
        }
        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
        guard bytes.count <= Self.maxAnswerBytes else { throw .failed("\(source): answer larger than \(Self.maxAnswerBytes) bytes") }
        let parsed = try? JSONValue.parse(bytes)
        if response.status == .notFound || Self.status(of: parsed) == "unavailable" {
            throw .unavailable("\(source): the department says the source is unavailable (HTTP \(response.status.code))")
        }
        guard response.status == .ok else { throw .failed("\(source): HTTP \(response.status.code)") }
        guard let parsed, case .object(let object) = parsed, case .array(let records)? = object["records"] else {
            throw .failed("\(source): the answer is not {\"records\": [...]}")
        }
        let asked = Set(members)
        var items: [DepartmentAnswer.Item] = []
        for (index, value) in records.enumerated() {
            let field = CaseField(value, path: JSONPath.index(index, in: "records"))
            switch Result(catching: { () throws(UserError) in try DepartmentFile.item(object: field, source: source, today: asOf) }) {
            case .success(let item):
                guard asked.contains(item.record.member) else {
                    throw .failed("\(source): records[\(index)] is about \(item.record.member.masked), who was not asked about")
                }
                items.append(DepartmentAnswer.Item(record: item.record, recordID: item.recordID, timestamp: item.timestamp))
            case .failure(let error):
                throw .failed("\(source): \(error.field ?? "records[\(index)]"): \(error.message.en)")
            }
        }
        var answeredAt: String?
        if case .string(let text)? = object["answeredAt"], !text.isEmpty { answeredAt = String(text.prefix(64)) }
        return DepartmentAnswer(items: items, answeredAt: answeredAt)
    }

    private static func status(of value: JSONValue?) -> String? {
        guard case .object(let object)? = value, case .string(let status)? = object["status"] else { return nil }
        return status
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "timed out" }
            return "HTTP client error \(error)"
        }
        return "\(error)"
    }
}
