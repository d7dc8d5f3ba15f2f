"""A dibao application from the window through verification, publicity and
confirmation to its first payment roll, with the demo clock moved on past the
7-day publicity.

The township caseworker registers a complete application (accepted at once),
records the family's authorisation and requests a verification; the
verification officer collects the departments' answers; the case goes through
the home investigation, the township approver's initial opinion and the
village notice (which names the head and the amount, not the ID number). The
demo clock is then moved 8 days on (every session ends; TOTP codes follow the
server's clock), the caseworker submits the case for confirmation, the county
reviewer approves it, the caseworker records the payee, and the payment
officer freezes the roll of the first paid month: the household is on it.

The clock move affects the whole shared demo server, so this file is named to
run last (a phone check-in stamped with real time, as in test_visit_checkin,
is refused by a server 8 days ahead as older than 7 days), and the shared TOTP
clock is told about the shift, so later logins still work.
"""

from __future__ import annotations

import re
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from jiuzhu_browser import fill_intake_form, login, path_of, screenshot, wait_for

CLOCK_DAYS = 8  # publicity ends 7 calendar days after it starts; the 8th day is free
AMOUNT = "620"
AMOUNT_SHOWN = "¥620.00"
VILLAGE = "340321100201"
ACCOUNT = "6222 0212 3456 7890 123"


def check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def resident_id(first17: str) -> str:
    return first17 + check_digit(first17)


# Not any other test's family: a person may be in only one dibao household.
HEAD = ("孙志强", resident_id("34032119680523071"), "02")
FAMILY = [
    HEAD,
    ("周桂芳", resident_id("34032119700918082"), "10"),
    ("孙晓雯", resident_id("34032120140716084"), "30"),  # a minor: her guardian signs
]
MINOR = "孙晓雯"

PDF = b"%PDF-1.4\n% authorisation scan for the case workflow test\n%%EOF\n"


# --------------------------------------------------------------------------
# Small page helpers


def body_text(drv) -> str:
    return drv.find_element(By.TAG_NAME, "body").text


def errors_on(drv) -> list[str]:
    return [e.text for e in drv.find_elements(By.CSS_SELECTOR, ".form-error, .field-error")]


def logout(drv) -> None:
    drv.find_element(By.CSS_SELECTOR, "#logout-submit").click()
    wait_for(drv, lambda d: not d.find_elements(By.CSS_SELECTOR, "#logout-form"), message="logged out")


def case_state(drv) -> str:
    found = drv.find_elements(By.CSS_SELECTOR, "#case-state")
    return found[0].get_attribute("data-state") if found else ""


def open_case(drv, app, case_path: str, state: str) -> None:
    drv.get(app.base_url + case_path)
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#case-state"), message=f"the case page {case_path}")
    assert case_state(drv) == state, f"the case is {case_state(drv)!r}, expected {state!r}: {body_text(drv)[:1500]}"


def act(drv, action: str, to_state: str, texts: dict[str, str] | None = None, ticks: tuple[str, ...] = (),
        selects: dict[str, str] | None = None) -> None:
    """Fill and submit the case page's form for `action` (opening its
    <details> first if needed), then wait for the case to be in `to_state`."""
    offered = [d.get_attribute("data-action") for d in drv.find_elements(By.CSS_SELECTOR, "details.case-action")]
    assert action in offered, f"{action!r} is not offered on the case page (offered: {offered}; state {case_state(drv)!r})"
    details = drv.find_element(By.CSS_SELECTOR, f"details.case-action[data-action='{action}']")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
        wait_for(drv, lambda d: details.get_attribute("open") is not None, message=f"the {action} form to open")
    form = drv.find_element(By.CSS_SELECTOR, f"form#action-{action}")
    assert form.find_element(By.NAME, "date").get_attribute("value"), f"the {action} form has no default date"
    for name, value in (texts or {}).items():
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    for name, value in (selects or {}).items():
        Select(form.find_element(By.NAME, name)).select_by_value(value)
    for name in ticks:
        box = form.find_element(By.NAME, name)
        if not box.is_selected():
            box.click()
    before = case_state(drv)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(drv, lambda d: case_state(d) == to_state or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message=f"the case page after {action} (from {before!r}, expecting {to_state!r})")
    assert not drv.find_elements(By.CSS_SELECTOR, ".form-error"), f"{action} was refused: {errors_on(drv)}"
    assert case_state(drv) == to_state


def anonymous_get(url: str) -> tuple[int, str]:
    """A GET without any cookie (no browser session)."""
    with urllib.request.urlopen(url, timeout=20) as resp:
        return resp.status, resp.read().decode("utf-8", errors="replace")


def next_month(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


# --------------------------------------------------------------------------
# The steps


def register_complete_application(drv, app) -> str:
    """Registers the family with every material ticked; returns the application's path."""
    fill_intake_form(drv, app, VILLAGE, "城关镇西城村 7 组 21 号", FAMILY)
    materials = drv.find_elements(By.CSS_SELECTOR, "input[name='materials[]']")
    assert materials, "the window form lists no materials to tick"
    for box in materials:
        if not box.is_selected():
            drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
            box.click()
    drv.find_element(By.CSS_SELECTOR, "#intake-submit").click()
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#tracking-code") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the application page after registering")
    assert not errors_on(drv), f"registration refused: {errors_on(drv)}"
    assert path_of(drv).startswith("/applications/"), drv.current_url
    links = drv.find_elements(By.CSS_SELECTOR, "#application-cases a")
    assert len(links) == 1, (f"a complete dibao application should open exactly one case at once; #application-cases links: "
                             f"{[a.text for a in links]}; status {drv.find_element(By.ID, 'application-status').text!r}")
    assert not drv.find_elements(By.CSS_SELECTOR, "#notice-link"), "every material was ticked, yet a one-time notice is offered"
    return path_of(drv)


def request_verification(drv, tmp_path) -> str:
    """On the application page: records the authorisation and requests a
    verification; returns the request's path."""
    drv.find_element(By.CSS_SELECTOR, "#request-verification").click()
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#authorisation-form"), message="#authorisation-form")
    drv.find_element(By.NAME, "number").send_keys("SQ-2026-W017")
    rows = drv.find_elements(By.CSS_SELECTOR, "#signatures tr")[1:]
    assert len(rows) == len(FAMILY), f"one signature row per member: {[r.text for r in rows]}"
    for row in rows:
        select = Select(row.find_element(By.CSS_SELECTOR, "select"))
        if row.find_element(By.CSS_SELECTOR, "td").text == MINOR:
            select.select_by_value("guardian")
            row.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys(HEAD[0])
        else:
            select.select_by_value("self")
    scan = tmp_path / "authorisation.pdf"
    scan.write_bytes(PDF)
    drv.find_element(By.CSS_SELECTOR, "#f-scan").send_keys(str(scan))
    drv.find_element(By.CSS_SELECTOR, "#request-submit").click()
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#source-jobs") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the verification request page")
    assert not errors_on(drv), f"verification request refused: {errors_on(drv)}"
    request = path_of(drv)
    assert request.startswith("/verification/"), drv.current_url
    return request


def collect_report(drv, app, request: str) -> str:
    """As the verification officer: collects the departments' answers until
    the report is issued; returns the report's id (from its print link)."""
    drv.get(app.base_url + request)
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#source-jobs"), message="the request page")
    for _ in range(6):
        if drv.find_elements(By.CSS_SELECTOR, "#verification-report"):
            break
        if drv.find_elements(By.CSS_SELECTOR, "#collect-now"):
            drv.find_element(By.CSS_SELECTOR, "#collect-now").click()
        else:
            drv.get(app.base_url + request)  # the background worker may be issuing it
        wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#source-jobs"), timeout=30, message="the request page again")
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#verification-report"), timeout=5,
             message="the verification report after collecting")
    href = drv.find_element(By.CSS_SELECTOR, "#report-print").get_attribute("href")
    match = re.search(r"/verification/reports/([0-9A-Fa-f-]{36})$", href)
    assert match, f"the report's print link does not name the report: {href!r}"
    screenshot(drv, "case-verification-report.png")
    return match.group(1)


def move_demo_clock(drv, app, totp_clock, days: int) -> None:
    drv.get(app.base_url + "/")
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "form#demo-clock"), message="form#demo-clock on the home page")
    form = drv.find_element(By.CSS_SELECTOR, "form#demo-clock")
    hint = form.text
    match = re.search(r"已前拨\s*(\d+)\s*天|now (\d+) days ahead", hint)
    assert match, f"the demo clock form does not say how far it is ahead: {hint!r}"
    ahead = int(match.group(1) or match.group(2))
    assert ahead * 86400 == totp_clock.shift_seconds, \
        f"the server's clock is {ahead} days ahead but the TOTP clock thinks {totp_clock.shift_seconds / 86400:g}"
    field = form.find_element(By.NAME, "days")
    field.clear()
    field.send_keys(str(days))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(drv, lambda d: path_of(d) == "/login" or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the redirect to /login after moving the clock")
    assert path_of(drv) == "/login", f"moving the clock by {days} days was refused: {errors_on(drv)}"
    # From now on the server checks TOTP codes against its moved clock.
    totp_clock.shift_seconds += days * 86400
    drv.get(app.base_url + "/")
    wait_for(drv, lambda d: path_of(d) == "/login", message="the old session to be over after moving the clock")


# --------------------------------------------------------------------------


def test_dibao_from_window_to_first_payment_roll(app, driver, totp_clock, tmp_path):
    name, id_number = HEAD[0], HEAD[1]

    # 1. The window: a complete application, accepted at once with its case.
    login(driver, app, totp_clock, "township_caseworker")
    application = register_complete_application(driver, app)
    case_path = driver.find_element(By.CSS_SELECTOR, "#application-cases a").get_attribute("href").replace(app.base_url, "")
    assert re.fullmatch(r"/cases/[0-9A-Fa-f-]{36}", case_path), case_path
    screenshot(driver, "case-application.png")

    # 2. The authorisation and the verification request.
    driver.get(app.base_url + application)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#request-verification"), message="#request-verification")
    request = request_verification(driver, tmp_path)

    # 3. The home investigation, by two investigators, signed by the family.
    open_case(driver, app, case_path, "accepted")
    assert name in driver.find_element(By.TAG_NAME, "h1").text
    assert id_number not in body_text(driver), "the case page shows the head's full ID number"
    act(driver, "start_investigation", "investigating")
    act(driver, "complete_investigation", "awaiting_verification",
        texts={"investigators": "张伟、李娜"}, ticks=("signedByFamily", "signedByInvestigators"))
    assert "张伟、李娜" in driver.find_element(By.CSS_SELECTOR, "#case-inputs").text
    logout(driver)

    # The verification centre collects the departments' answers: the report.
    login(driver, app, totp_clock, "verification_officer")
    report_number = collect_report(driver, app, request)
    logout(driver)

    # 4. The township approver's initial opinion, with the proposed amount.
    login(driver, app, totp_clock, "township_approver")
    open_case(driver, app, case_path, "awaiting_verification")
    act(driver, "propose_initial_opinion", "initial_opinion",
        texts={"verificationReportNumber": report_number, "opinion": "家庭人均收入低于当地低保标准，拟纳入低保", "amount": AMOUNT})
    inputs = driver.find_element(By.CSS_SELECTOR, "#case-inputs").text
    assert report_number in inputs and AMOUNT_SHOWN in inputs, f"the recorded inputs lack the report or the amount: {inputs!r}"
    logout(driver)

    # 5. The caseworker posts the notice in the village.
    login(driver, app, totp_clock, "township_caseworker")
    open_case(driver, app, case_path, "initial_opinion")
    act(driver, "start_publicity", "publicity")
    deadlines = driver.find_element(By.CSS_SELECTOR, "#case-deadlines").text
    screenshot(driver, "case-publicity.png")

    # Submitting for confirmation is refused while the notice is up.
    details = driver.find_element(By.CSS_SELECTOR, "details.case-action[data-action='submit_for_confirmation']")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    driver.find_element(By.CSS_SELECTOR, "form#action-submit_for_confirmation button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".form-error"), message="the refusal to submit during publicity")
    assert case_state(driver) == "publicity"
    refusal = " ".join(errors_on(driver))
    assert "公示期" in refusal, f"the refusal does not name the publicity period: {refusal!r} (deadlines: {deadlines!r})"
    logout(driver)

    # The village notice, read without any session: the head and the amount, no ID number.
    status, html = anonymous_get(f"{app.base_url}/publicity/{VILLAGE}")
    assert status == 200, f"GET /publicity/{VILLAGE} without a session: {status}"
    assert name in html, f"the village notice does not name the household head {name}"
    assert AMOUNT_SHOWN in html, f"the village notice does not show the proposed amount {AMOUNT_SHOWN}"
    for shown in (id_number, id_number[:6] + "********" + id_number[-4:], id_number[6:14]):
        assert shown not in html, f"the village notice shows the head's ID number ({shown})"
    driver.get(f"{app.base_url}/publicity/{VILLAGE}")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#publicity"), message="#publicity on the village notice")
    assert not driver.find_elements(By.CSS_SELECTOR, "#logout-form"), "the notice was read with a staff session"
    cards = [c for c in driver.find_elements(By.CSS_SELECTOR, "#publicity li.card") if name in c.find_element(By.TAG_NAME, "h2").text]
    assert len(cards) == 1, f"the household is on the notice {len(cards)} times: {[c.text for c in driver.find_elements(By.CSS_SELECTOR, '#publicity li.card')]}"
    assert cards[0].find_element(By.CSS_SELECTOR, ".amount").text == AMOUNT_SHOWN
    assert cards[0].find_element(By.CSS_SELECTOR, ".size").text == str(len(FAMILY))
    assert id_number not in body_text(driver)
    screenshot(driver, "case-publicity-notice.png")

    # 6. The demo clock moves 8 days on (any member of staff may move it): every session ends.
    login(driver, app, totp_clock, "village_assistant")
    move_demo_clock(driver, app, totp_clock, CLOCK_DAYS)

    login(driver, app, totp_clock, "township_caseworker")
    open_case(driver, app, case_path, "publicity")
    act(driver, "submit_for_confirmation", "awaiting_confirmation")
    logout(driver)

    # 7. The county reviewer approves with the monthly amount.
    login(driver, app, totp_clock, "county_reviewer")
    open_case(driver, app, case_path, "awaiting_confirmation")
    act(driver, "approve", "approved",
        texts={"confirmationOpinion": "经审核，符合城乡低保条件，同意纳入", "amount": AMOUNT}, selects={"reviewClass": "c"})
    assert driver.find_element(By.CSS_SELECTOR, "#case-amount").text == AMOUNT_SHOWN
    # Class C: reviewed every 6 months.
    assert "C" in driver.find_element(By.CSS_SELECTOR, "#case-class").text
    assert driver.find_element(By.CSS_SELECTOR, "#case-next-review").text
    timeline = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#case-timeline li")]
    approved_on = re.match(r"(\d{4}-\d{2}-\d{2})", timeline[-1] if timeline else "")
    assert approved_on, f"the timeline's last entry has no date: {timeline}"
    first_month = next_month(approved_on.group(1))
    screenshot(driver, "case-approved.png")
    logout(driver)

    # 8. The caseworker records the payee.
    login(driver, app, totp_clock, "township_caseworker")
    open_case(driver, app, case_path, "approved")
    form = driver.find_element(By.CSS_SELECTOR, "form#payee-form")
    for field, value in (("payeeName", name), ("payeeAccount", ACCOUNT)):
        element = form.find_element(By.NAME, field)
        element.clear()
        element.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "done=payee" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the case page after recording the payee")
    assert not errors_on(driver), f"the payee was refused: {errors_on(driver)}"
    payee = driver.find_element(By.CSS_SELECTOR, "#case-payee").text
    assert name in payee and "**** 0123" in payee and ACCOUNT.replace(" ", "") not in payee, payee
    driver.get(app.base_url + case_path + "/letter")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#letter-body"), message="the approval letter")
    letter = driver.find_element(By.CSS_SELECTOR, "#letter-body").text
    assert first_month in letter and AMOUNT_SHOWN in letter, f"the letter does not pay {AMOUNT_SHOWN} from {first_month}: {letter!r}"
    logout(driver)

    # 9. The payment officer freezes the first paid month's roll.
    login(driver, app, totp_clock, "payment_officer")
    driver.get(app.base_url + "/payments")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form#roll-freeze"), message="form#roll-freeze on /payments")
    month = driver.find_element(By.CSS_SELECTOR, "form#roll-freeze").find_element(By.NAME, "month")
    month.clear()
    month.send_keys(first_month)
    driver.find_element(By.CSS_SELECTOR, "form#roll-freeze button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "table#roll") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message=f"the roll of {first_month}")
    assert not errors_on(driver), f"freezing the roll of {first_month} was refused: {errors_on(driver)}"
    assert first_month in driver.find_element(By.TAG_NAME, "h1").text
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "table#roll tbody tr") if name in r.text]
    assert len(rows) == 1, (f"the household is on the roll of {first_month} {len(rows)} times: "
                            f"{[r.text for r in driver.find_elements(By.CSS_SELECTOR, 'table#roll tr')]}")
    assert AMOUNT_SHOWN in rows[0].text and "**** 0123" in rows[0].text, rows[0].text
    total = driver.find_element(By.CSS_SELECTOR, "#roll-total").text
    assert total.startswith("¥"), f"#roll-total: {total!r}"
    screenshot(driver, "case-payment-roll.png")
