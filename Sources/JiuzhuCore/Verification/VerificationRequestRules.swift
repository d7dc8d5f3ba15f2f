// 核对请求 — the clock and the job rules of one verification request: one job
// per department source, retried when it fails, and a report issued when the
// required sources have answered or the deadline has passed.

/// The kind of request.
public enum VerificationRequestKind: String, Sendable, Hashable, CaseIterable {
    /// 初次核对.
    case initial
    /// 复核 — on the family's objection, a new request with fresh data.
    case recheck

    public var name: Bilingual {
        switch self {
        case .initial: Bilingual(zh: "核对", en: "verification")
        case .recheck: Bilingual(zh: "复核", en: "re-check")
        }
    }
}

/// Where a request stands.
public enum VerificationRequestStatus: String, Sendable, Hashable, CaseIterable {
    /// 数据采集中 — jobs are running.
    case collecting
    /// 已出具报告.
    case reported

    public var name: Bilingual {
        switch self {
        case .collecting: Bilingual(zh: "数据采集中", en: "collecting data")
        case .reported: Bilingual(zh: "已出具报告", en: "report issued")
        }
    }
}

extension SourceStatus {
    /// Whether the job will not change by itself any more.
    public var isFinal: Bool { self == .returned || self == .unavailable }
}

/// What a job attempt gave.
public enum JobAttemptOutcome: Sendable, Hashable {
    case returned
    /// Retrying may help (timeout, error status).
    case failed(String)
    /// Retrying will not help (the source does not serve the region).
    case unavailable(String)
}

public enum VerificationRequestRules {
    /// 部门反馈时限: departments have this many working days from the request;
    /// afterwards the report is issued without the missing sources.
    public static let sourceDeadlineWorkingDays = 5
    /// A failed query is tried this many times in all before it stays failed.
    public static let maxAttempts = 3

    /// The day by which the sources must answer, and the rule that set it.
    public static func sourceDeadline(requestedOn: LocalDate, calendar: WorkingCalendar) -> (date: LocalDate, rule: Bilingual) {
        let date = calendar.adding(workingDays: sourceDeadlineWorkingDays, to: requestedOn)
        return (date, Bilingual(zh: "部门反馈时限：提出请求后 \(sourceDeadlineWorkingDays) 个工作日",
                               en: "Departments answer within \(sourceDeadlineWorkingDays) working days of the request"))
    }

    /// The job's state after an attempt: its status, and when to try again
    /// (seconds from now; nil = not again). Backoff doubles: 1, 2, 4 … minutes.
    public static func after(_ outcome: JobAttemptOutcome, attempts: Int) -> (status: SourceStatus, retryAfterSeconds: Int?) {
        switch outcome {
        case .returned: return (.returned, nil)
        case .unavailable: return (.unavailable, nil)
        case .failed:
            guard attempts < maxAttempts else { return (.failed, nil) }
            return (.pending, 60 << max(0, attempts - 1))
        }
    }

    /// Whether the report can be issued: every required source has answered
    /// (or can no longer answer), or the deadline has passed. `retrying` are
    /// the sources with another attempt scheduled.
    public static func isReady(required: [String], statuses: [String: SourceStatus], retrying: Set<String>,
                               deadlinePassed: Bool) -> Bool {
        if deadlinePassed { return true }
        return required.allSatisfy { source in
            guard let status = statuses[source] else { return false }
            return status.isFinal || (status == .failed && !retrying.contains(source))
        }
    }
}
