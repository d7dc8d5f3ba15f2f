/// The visit feature's user-facing texts: Chinese first, English second.
enum VisitText {
    // MARK: Rules shown beside dates

    static func scheduleRule(selfCare: SelfCareClass, intervalDays: Int, anchor: LocalDate, nominal: LocalDate,
                             due: LocalDate, graceWorkingDays: Int) -> Bilingual {
        let moved = nominal == due ? ("", "")
            : ("；\(nominal) 为休息日，顺延至下一个工作日 \(due)",
               "; \(nominal) is a rest day, so it moves to the next working day, \(due)")
        return Bilingual(
            zh: "\(selfCare.name.zh)对象每 \(intervalDays) 天走访一次，自 \(anchor) 起计\(moved.0)；"
                + "逾期超过 \(graceWorkingDays) 个工作日提交乡镇督办",
            en: "Visits every \(intervalDays) days (\(selfCare.name.en)), counted from \(anchor)\(moved.1); "
                + "escalated to the township supervisor after \(graceWorkingDays) working days overdue")
    }

    static func reassessmentRule(workingDays: Int, observedOn: LocalDate) -> Bilingual {
        Bilingual(zh: "走访发现生活自理能力变化（\(observedOn)），应在 \(workingDays) 个工作日内重新评估",
                  en: "A change in self-care seen at the visit on \(observedOn) must be re-assessed within \(workingDays) working days")
    }

    // MARK: Anomaly descriptions

    static func describe(_ evidence: AnomalyEvidence) -> Bilingual {
        switch evidence {
        case let .farFromHome(distance, accuracy, limit):
            return Bilingual(
                zh: "打卡位置距登记住址 \(metres(distance)) 米（定位精度 \(metres(accuracy)) 米），超过允许的 \(metres(limit)) 米",
                en: "Checked in \(metres(distance)) m from the registered address (GPS accuracy \(metres(accuracy)) m), beyond the \(metres(limit)) m allowed")
        case let .impossibleSpeed(distance, credited, seconds, speed, limit):
            guard let speed else {
                return Bilingual(
                    zh: "同一工作人员在同一时刻于相距 \(metres(distance)) 米的两处打卡",
                    en: "The same worker checked in at the same moment at two places \(metres(distance)) m apart")
            }
            return Bilingual(
                zh: "同一工作人员两次打卡相距 \(metres(distance)) 米（扣除定位精度后 \(metres(credited)) 米），间隔 \(seconds) 秒，"
                    + "折合每小时 \(tenths(speed)) 公里，超过 \(tenths(limit)) 公里",
                en: "The same worker's consecutive check-ins are \(metres(distance)) m apart (\(metres(credited)) m after GPS accuracy), "
                    + "\(seconds) s apart: \(tenths(speed)) km/h, above \(tenths(limit)) km/h")
        case let .burst(visits, span, window, limit):
            return Bilingual(
                zh: "同一工作人员在 \(span) 秒内为 \(visits) 次走访打卡（\(window) 分钟内达到 \(limit) 次即提示）",
                en: "The same worker checked in for \(visits) visits within \(span) s (\(limit) within \(window) minutes raises a flag)")
        case let .photoReused(hash, visitIDs):
            return Bilingual(
                zh: "同一张照片（SHA-256 \(hash.prefix(12))…）用于 \(visitIDs.count) 次不同走访",
                en: "The same photo (SHA-256 \(hash.prefix(12))…) was used for \(visitIDs.count) different visits")
        case let .identicalCoordinates(_, _, places, people):
            return Bilingual(
                zh: "\(people.count) 名不同对象的打卡坐标完全相同（精确到小数点后 \(places) 位）",
                en: "Check-ins for \(people.count) different people have identical coordinates (to \(places) decimal places)")
        }
    }

    /// Whole metres, rounded.
    static func metres(_ value: Double) -> String {
        value.isFinite ? String(Int64(value.rounded())) : "—"
    }

    /// One decimal, rounded half away from zero.
    static func tenths(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let scaled = Int64((value * 10).rounded())
        let sign = scaled < 0 ? "-" : ""
        return "\(sign)\(scaled.magnitude / 10).\(scaled.magnitude % 10)"
    }

    // MARK: Errors

    static func missing(field: String) -> UserError {
        UserError("checkin.missing", field: field, zh: "缺少必填项", en: "This field is required")
    }

    static let latitudeRange = UserError("checkin.latitude", field: "latitude",
                                         zh: "纬度应在 -90 到 90 度之间", en: "Latitude must be between -90 and 90 degrees")
    static let longitudeRange = UserError("checkin.longitude", field: "longitude",
                                          zh: "经度应在 -180 到 180 度之间", en: "Longitude must be between -180 and 180 degrees")
    static let accuracyRange = UserError("checkin.accuracy", field: "accuracy",
                                         zh: "定位精度不能为负数", en: "The location accuracy cannot be negative")
    static let timeInFuture = UserError("checkin.time_future", field: "time",
                                        zh: "打卡时间晚于当前时间，请检查手机时间设置",
                                        en: "The check-in time is in the future; check the phone's clock")
    static func timeTooOld(days: Int) -> UserError {
        UserError("checkin.time_too_old", field: "time",
                  zh: "打卡时间已超过 \(days) 天，不能再提交", en: "The check-in is more than \(days) days old and can no longer be submitted")
    }
    static let photoHashFormat = UserError("checkin.photo_hash", field: "photoSHA256",
                                           zh: "照片摘要应为 64 位小写十六进制 SHA-256 值",
                                           en: "The photo hash must be a SHA-256 value of 64 lowercase hexadecimal digits")

    static func policyNotPositive(field: String) -> UserError {
        UserError("visit_policy.not_positive", field: field, zh: "该参数必须大于 0", en: "This parameter must be greater than 0")
    }
    static func policyNegative(field: String) -> UserError {
        UserError("visit_policy.negative", field: field, zh: "该参数不能为负数", en: "This parameter cannot be negative")
    }
    static let policyBurstCount = UserError("visit_policy.burst_count", field: "burstCount",
                                            zh: "密集打卡次数至少为 2", en: "The burst count must be at least 2")
    static let policyDecimalPlaces = UserError("visit_policy.decimal_places", field: "coordinateDecimalPlaces",
                                               zh: "坐标比较精度应为 0 到 9 位小数",
                                               en: "The coordinate precision must be 0 to 9 decimal places")
}
