import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import Vapor

/// One demo account per role, in 蚌埠市怀远县 (and above it for supervisors
/// and administrators). Their TOTP secrets are derived from the username so
/// that every `serve --demo` can print them again; demo data is not secret.
public enum DemoStaff {
    public static let password = "Jiuzhu-Demo-2026"

    public struct Login: Sendable {
        public let role: StaffRole
        public let username: String
        public let displayName: String
        public let region: String
        public var department: Department? = nil
        public var totpSecret: String { DemoStaff.secret(for: username) }
    }

    public static let logins: [Login] = [
        Login(role: .villageAssistant, username: "demo.village", displayName: "张协理", region: "340321100201"),
        Login(role: .townshipCaseworker, username: "demo.caseworker", displayName: "李经办", region: "340321100"),
        Login(role: .townshipApprover, username: "demo.approver", displayName: "王审批", region: "340321100"),
        Login(role: .countyReviewer, username: "demo.reviewer", displayName: "赵审核", region: "340321"),
        Login(role: .verificationOfficer, username: "demo.verifier", displayName: "钱核对", region: "340321"),
        Login(role: .paymentOfficer, username: "demo.payment", displayName: "孙发放", region: "340321"),
        Login(role: .citySupervisor, username: "demo.city", displayName: "周市监", region: "3403"),
        Login(role: .provinceSupervisor, username: "demo.province", displayName: "吴省监", region: "34"),
        Login(role: .systemAdmin, username: "demo.sysadmin", displayName: "郑系统", region: "34"),
        Login(role: .securityAdmin, username: "demo.secadmin", displayName: "冯安全", region: "34"),
        Login(role: .auditAdmin, username: "demo.auditor", displayName: "陈审计", region: "34"),
        Login(role: .departmentOfficer, username: "demo.medical", displayName: "褚医保", region: "340321", department: .medicalInsurance),
        Login(role: .departmentOfficer, username: "demo.charity", displayName: "卫慈善", region: "340321", department: .charity),
    ]

    static func secret(for username: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data("jiuzhu demo totp".utf8)))
        return Array(Data(mac).prefix(20)).base32String()
    }

    /// Creates the demo accounts that do not exist yet. Returns how many were created.
    @discardableResult
    public static func seed(on db: any Database, keys: KeyRing, bcryptCost: Int = 10, now: Date = Date()) async throws -> Int {
        let repository = StaffRepository(db: db, keys: keys, bcryptCost: bcryptCost)
        let everywhere = RegionScope(root: try RegionCode("34"))
        var created = 0
        for login in logins where try await repository.find(username: login.username) == nil {
            _ = try await repository.create(
                NewStaff(username: login.username, displayName: login.displayName, role: login.role,
                         region: try RegionCode(login.region), password: password, department: login.department),
                in: everywhere, now: now, totpSecret: login.totpSecret)
            created += 1
        }
        return created
    }
}
