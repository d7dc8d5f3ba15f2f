import JiuzhuCore
import Plot

/// What every page needs to know about who is looking.
struct ViewContext: Sendable {
    var language: JiuzhuCore.Language
    var demo: Bool
    var csrf: String
    var staff: StaffHeader?
    var path: String

    struct StaffHeader: Sendable {
        let displayName: String
        let role: StaffRole
        let regionName: String
        let regionCode: String
    }

    func t(_ text: Bilingual) -> String { text.text(language) }
}

typealias PageNode = Node<HTML.BodyContext>

/// The page shell: header with user, role and region, navigation by role,
/// the demo banner, the content. One small stylesheet; a script only where
/// it earns its place (the offline visit queue).
struct Page {
    let title: Bilingual
    let context: ViewContext
    let content: [PageNode]
    /// Our own scripts for this page (`/static/NAME.js`), deferred; most pages have none.
    let scripts: [String]

    init(title: Bilingual, context: ViewContext, content: [PageNode], scripts: [String] = []) {
        self.title = title
        self.context = context
        self.content = content
        self.scripts = scripts
    }

    func render() -> String {
        let c = context
        let html = HTML(
            .attribute(named: "lang", value: c.language == .zh ? "zh-CN" : "en"),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: "\(c.t(title)) · \(c.t(S.appName))"),
                .link(.rel(.stylesheet), .href("/static/app.css")),
                .forEach(scripts) { .script(.src("/static/\($0)"), .attribute(named: "defer", value: "defer")) }
            ),
            .body(
                .if(c.demo, .div(.class("demo-banner"), .text(c.t(S.demoBanner)))),
                .header(
                    .class("top"),
                    .a(.class("brand"), .href("/"), .text(c.t(S.appName))),
                    .unwrap(c.staff) { staff in
                        .div(
                            .class("who"),
                            .span(.id("user-name"), .text(staff.displayName)),
                            .span(.id("user-role"), .text(c.t(staff.role.name))),
                            .span(.id("user-region"), .attribute(named: "data-code", value: attr(staff.regionCode)), .text(staff.regionName)),
                            .form(.id("logout-form"), .method(.post), .action("/logout"),
                                  csrfField(c),
                                  .button(.id("logout-submit"), .type(.submit), .text(c.t(S.logout))))
                        )
                    },
                    .a(.class("lang"), .href("/lang/\(c.language == .zh ? "en" : "zh")?back=" + attr(c.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")), .text(c.t(S.language)))
                ),
                .unwrap(c.staff) { staff in navigation(staff.role, c) },
                .main(.group(content))
            )
        )
        return html.render()
    }

    private func navigation(_ role: StaffRole, _ c: ViewContext) -> PageNode {
        let items: [(Permission?, String, Bilingual)] = [
            (.viewTasks, "/", S.myTasks),
            (.registerApplications, "/intake/new", T.newApplication),
            (.viewPeople, "/people", T.people),
            (.handleReferrals, "/referrals", T.referralQueue),
            (.viewVerification, "/verification", V.queue),
            (.viewCases, "/cases", CT.cases),
            (.sampleTekun, "/cases/sampling", CT.sampling),
            (.managePayments, "/payments", PayT.title),
            (.managePayments, "/reserve-fund", CT.reserveFund),
            (.checkInVisits, "/visits", VT.myVisits),
            (.viewVisits, "/visits/plans", VT.plans),
            (.viewVisits, "/visits/compliance", VT.compliance),
            (.reviewVisitAnomalies, "/visits/anomalies", VT.anomalies),
            (.viewRegions, "/regions", S.regions),
            (.manageRegions, "/admin/regions", S.regionAdmin),
            (.manageCalendar, "/admin/calendar", S.calendar),
            (.manageRegions, "/admin/checklists", T.materials),
            (.manageRegions, "/admin/policies", PolicyText.title),
            (.manageUsers, "/admin/users", S.users),
            (.viewAudit, "/audit", S.audit),
        ]
        let shown = items.filter { $0.0.map(role.has) ?? true }
        // The longest link the path lies under is the current one (/visits/plans, not /visits).
        let current = shown.map(\.1).filter { isUnder($0, c.path) }.max { $0.count < $1.count }
        return .nav(.class("menu"), .ul(.forEach(shown) { item in
            .li(.a(.href(item.1), .class(item.1 == current ? "current" : ""), .text(c.t(item.2))))
        }))
    }

    private func isUnder(_ link: String, _ path: String) -> Bool {
        link == "/" ? path == "/" : path == link || path.hasPrefix(link + "/")
    }
}

/// Plot writes attribute values as they are given (text nodes it escapes), so
/// every attribute value that is not a literal goes through this.
func attr(_ value: String) -> String {
    var out = ""
    out.reserveCapacity(value.count)
    for ch in value {
        switch ch {
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.append(ch)
        }
    }
    return out
}

func csrfField(_ c: ViewContext) -> Node<HTML.FormContext> {
    .input(.type(.hidden), .name("_csrf"), .value(attr(c.csrf)))
}


// MARK: Form pieces

/// A labelled text field with its error, keeping what was typed. `name` is
/// the error key (and id); `inputName` the form name when it differs
/// (`members[0][name]` for the error key `members[0].name`).
func field(_ name: String, inputName: String? = nil, label: Bilingual, value: String = "", type: HTMLInputType = .text,
           errors: [String: UserError], _ c: ViewContext, required: Bool = true,
           autocomplete: String? = nil, hint: Bilingual? = nil) -> Node<HTML.FormContext> {
    let error = errors[name]
    let id = "f-" + name.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "").replacingOccurrences(of: ".", with: "-")
    return .div(
        .class(error == nil ? "field" : "field invalid"),
        .label(.for(id), .text(c.t(label))),
        .input(.id(id), .attribute(named: "name", value: attr(inputName ?? name)), .type(type), .value(type == .password ? "" : attr(value)),
               .required(required), .attribute(named: "autocomplete", value: autocomplete),
               .attribute(named: "aria-invalid", value: error == nil ? nil : "true")),
        .unwrap(hint) { .small(.class("hint"), .text(c.t($0))) },
        .unwrap(error) { .p(.class("field-error"), .text("\($0.message.zh) / \($0.message.en)")) }
    )
}

func selectField(_ name: String, inputName: String? = nil, label: Bilingual, options: [(String, String)], selected: String,
                 errors: [String: UserError], _ c: ViewContext) -> Node<HTML.FormContext> {
    let error = errors[name]
    let id = "f-" + name.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "").replacingOccurrences(of: ".", with: "-")
    return .div(
        .class(error == nil ? "field" : "field invalid"),
        .label(.for(id), .text(c.t(label))),
        .select(.id(id), .attribute(named: "name", value: attr(inputName ?? name)), .forEach(options) { option in
            .element(named: "option", nodes: [.attribute(named: "value", value: attr(option.0), ignoreIfValueIsEmpty: false), .attribute(named: "selected", value: option.0 == selected ? "selected" : nil), .text(option.1)])
        }),
        .unwrap(error) { .p(.class("field-error"), .text("\($0.message.zh) / \($0.message.en)")) }
    )
}

/// A message about the whole form, in both languages so nobody misses it.
func formError<C: HTML.BodyContext>(_ error: UserError?) -> Node<C> {
    .unwrap(error) { e in .p(.class("form-error"), .attribute(named: "role", value: "alert"), .text("\(e.message.zh) / \(e.message.en)")) }
}

func notice(_ text: String?) -> PageNode {
    .unwrap(text) { .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) }
}

/// A one-button form posting to `action` (disable, remove, ...).
func actionButton(_ action: String, label: Bilingual, _ c: ViewContext, id: String? = nil) -> Node<HTML.BodyContext> {
    .form(.class("inline"), .method(.post), .action(action), csrfField(c),
          .button(.type(.submit), .attribute(named: "id", value: id), .text(c.t(label))))
}
