import FluentKit

/// Every migration in order. The numbers in the names are their order; a
/// released migration is never edited, only followed by a new one.
public enum JiuzhuMigrations {
    public static let all: [any AsyncMigration] = [
        M001CreateRegions(),
        M002CreateStaff(),
        M003CreateSessions(),
        M004CreateAudit(),
        M005CreateCalendar(),
        M006CreatePeople(),
        M007CreateIntake(),
        M008CreateAPITokens(),
        M009CreateDocuments(),
        M010CreateDepartmentData(),
        M011CreateVerificationRequests(),
        M012CreateBatchVerification(),
        M013IndexRecordsByMember(),
        M014CreateVisits(),
        M015CreateTasksAndAnomalies(),
        M016CreateCases(),
        M017CreatePayments(),
        M018DynamicManagement(),
        M019CreateTekunSamples(),
        M020CreateReserveFunds(),
        M021BatchCoveringIndexes(),
        M022BatchDigests(),
        M023ResultsWithoutHouseholdIndex(),
    ]

    public static func register(on migrations: Migrations) {
        for migration in all { migrations.add(migration) }
    }
}
