import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

// Shared by the HTTP tests of this target.

func body(_ response: TestingHTTPResponse) -> String { String(buffer: response.body) }

/// Logs a demo account in (password and the TOTP code at the clock's time) and returns the client.
func loggedIn(_ app: Application, _ username: String, clock: TestClock) async throws -> WebClient {
    let client = WebClient(app: app)
    let login = DemoStaff.logins.first { $0.username == username }!  // programmer error: demo accounts are fixed
    let response = try await client.login(login.username, password: DemoStaff.password, secret: login.totpSecret, at: clock.now)
    #expect(response.status == .seeOther, "login of \(username) failed: \(body(response).prefix(300))")
    return client
}

/// The same for the demo account of a role.
func loggedIn(_ app: Application, _ role: StaffRole, clock: TestClock) async throws -> WebClient {
    try await loggedIn(app, demo(role).username, clock: clock)
}

func demo(_ role: StaffRole) -> DemoStaff.Login {
    DemoStaff.logins.first { $0.role == role }!  // programmer error: one demo login per role
}
