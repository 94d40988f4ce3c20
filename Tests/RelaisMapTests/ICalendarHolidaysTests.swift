import Foundation
import RelaisCore
import RelaisMap
import Testing

@Suite struct ICalendarHolidaysTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: "ics", subdirectory: "Fixtures/calendars"))
    }

    static func mapUsing(_ calendarFields: String) -> String {
        """
        calendars:
          office: { timezone: Europe/Paris, hours: { mon-fri: "09:00-17:00" }, \(calendarFields) }
        workflows:
          w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] }
        teams: { a: { level: 1 } }
        families:
          f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w }
        """
    }

    @Test func readsDatesRangesFoldedLinesAndYearlyRules() throws {
        let text = try String(contentsOf: try Self.fixture("holidays"), encoding: .utf8)
        let dates = try ICalendarHolidays.dates(in: text).map(\.description).sorted()
        #expect(dates == ["2026-12-25", "2027-05-06", "2027-05-07", "2027-12-25", "2028-12-25"])
    }

    @Test func aYearlyRuleWithoutEndRunsToTheEndOfTheCalendars() throws {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20280229\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n"
        let dates = try ICalendarHolidays.dates(in: text)
        #expect(dates.count == 18, "29 February of each leap year from 2028 to 2096")
        #expect(dates.contains(CivilDate(iso: "2096-02-29")!))
    }

    @Test(arguments: [
        ("VERSION:2.0\nBEGIN:VEVENT\n", 1, "starts with BEGIN:VCALENDAR"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-12-25\nEND:VEVENT\nEND:VCALENDAR", 3, "DTSTART '2026-12-25' is not a date"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR", 2, "VEVENT without DTSTART"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\nRRULE:FREQ=WEEKLY\nEND:VEVENT\nEND:VCALENDAR", 4, "only FREQ=YEARLY"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\n", 2, "not closed"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\nDTEND:20261224\nEND:VEVENT\nEND:VCALENDAR", 2, "ends (2026-12-24) before it starts"),
        // Found by the fuzzer (kept in Fuzz/Findings): an event of 740,000 days took seconds.
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGINND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTART;VALUE=DATE:20270506\r\n"
                + "DTEND;VALUE=DATE:40541016\r\nENDULE:FREQ=YEARLY;CM-TOUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 4, "lasts 740"
        ),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260101\nDTEND:20270103\nEND:VEVENT\nEND:VCALENDAR", 2, "a holiday lasts at most 366"),
        (
            "BEGIN:VCALENDAR\n" + String(repeating: "BEGIN:VEVENT\nDTSTART:19000101\nDTEND:19001231\nRRULE:FREQ=YEARLY\nEND:VEVENT\n", count: 14)
                + "END:VCALENDAR", 67, "more than 1000000 days"
        ),
    ])
    func unreadableFilesAreReportedWithTheirLine(text: String, line: Int, message: String) throws {
        let problem = try #require(throws: ICalendarHolidays.Problem.self) { try ICalendarHolidays.dates(in: text) }
        #expect(problem.line == line)
        #expect(problem.message.contains(message), "\(problem)")
    }

    @Test func datesOutsideTheCalendarsYearsAreNotKept() throws {
        let text =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:00011225\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
            + "BEGIN:VEVENT\nDTSTART:21500101\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:18991231\nDTEND:19000102\nEND:VEVENT\nEND:VCALENDAR\n"
        let dates = try ICalendarHolidays.dates(in: text)
        #expect(dates.count == 201, "Christmas of 1900 to 2099, and 1 January 1900")
        #expect(dates.map(\.year).min() == 1900 && dates.map(\.year).max() == 2099)
    }

    @Test func aMapTakesItsHolidaysFromAnICSFileBesideIt() throws {
        let directory = try Self.fixture("holidays").deletingLastPathComponent()
        let map = try MapLoader.load(
            yaml: Self.mapUsing("holidays_file: holidays.ics, holidays: [2026-11-11]"),
            file: directory.appendingPathComponent("test.map.yaml").path)
        let holidays = try #require(map.calendars["office"]?.holidays)
        #expect(holidays.contains(CivilDate(iso: "2027-05-07")!))
        #expect(holidays.contains(CivilDate(iso: "2026-11-11")!))
        #expect(holidays.count == 6)
    }

    @Test func aBrokenICSFileRefusesTheMapAndNamesItsLine() throws {
        let directory = try Self.fixture("broken").deletingLastPathComponent()
        let error = try #require(throws: MapValidationError.self) {
            try MapLoader.load(yaml: Self.mapUsing("holidays_file: broken.ics"), file: directory.appendingPathComponent("test.map.yaml").path)
        }
        let described = error.problems.map(\.description)
        #expect(described.contains { $0.hasSuffix("broken.ics:6:1: DTSTART '2027-05-01' is not a date such as 20261225") }, "\(described)")
        #expect(described.contains { $0.contains("test.map.yaml:2:") && $0.contains("nothing of it is applied") }, "\(described)")
        let missing = try #require(throws: MapValidationError.self) {
            try MapLoader.load(yaml: Self.mapUsing("holidays_file: nowhere.ics"), file: directory.appendingPathComponent("test.map.yaml").path)
        }
        #expect(missing.problems.map(\.message) == ["calendars.office.holidays_file: cannot read 'nowhere.ics' (at most 1 MiB)"])
    }

    /// A map names files next to it only: a proposal cannot make the server read its own files.
    @Test(arguments: [
        "/etc/passwd", "../../../../etc/passwd", "holidays/../../secret.ics", "/etc/holidays.ics", "~root/x.ics", "a\\b.ics",
        "holidays.txt", "./../broken.ics",
    ])
    func filesOutsideTheMapsFolderAreNeverRead(name: String) throws {
        let directory = try Self.fixture("holidays").deletingLastPathComponent()
        let error = try #require(throws: MapValidationError.self) {
            try MapLoader.load(yaml: Self.mapUsing("holidays_file: \"\(name)\""), file: directory.appendingPathComponent("test.map.yaml").path)
        }
        #expect(error.problems.count == 1, "\(error.problems)")
        let message = try #require(error.problems.first?.message)
        #expect(message.contains("is not a path next to the map") || message.contains("is not an iCalendar file"), "\(message)")
        #expect(!message.contains("root:"), "nothing of the file is read")
    }

    @Test(arguments: [
        ("hours: { mon-fri: \"09:00-17:00\", wed: \"16:00-19:00\" }", "calendars.office.hours: ranges 09:00-17:00 and 16:00-19:00 overlap on wed"),
        ("hours: { mon: \"09:00-12:00, 11:00-14:00\" }", "calendars.office.hours: ranges 09:00-12:00 and 11:00-14:00 overlap on mon"),
        ("hours: { sun: \"22:00-10:00\", mon: \"09:00-17:00\" }", "calendars.office.hours: ranges 00:00-10:00 and 09:00-17:00 overlap on mon"),
        ("hours: { mon: \"9h-17h\" }", "calendars.office.hours.mon: expected ranges such as \"08:30-12:00, 13:30-18:00\", got '9h-17h'"),
        ("hours: { mon: \"09:00-17:00\" }, holidays: [2026-02-30]", "calendars.office.holidays: '2026-02-30' is not a date YYYY-MM-DD"),
        (
            "hours: { mon: \"09:00-17:00\" }, openings: { 2026-12-27: \"10:00-09:00\" }",
            "calendars.office.openings.2026-12-27: an exceptional opening ends by midnight"
        ),
        ("hours: { mon: \"09:00-17:00\" }, business_day: 2d", "calendars.office.business_day: '2d' is not a length of day such as 8h or 7h30m"),
    ])
    func badCalendarsAreRefusedWithTheirPosition(fields: String, message: String) throws {
        let yaml = """
            calendars:
              office: { timezone: Europe/Paris, \(fields) }
            workflows:
              w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] }
            teams: { a: { level: 1 } }
            families:
              f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w }
            """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml, file: "m.yaml") }
        #expect(error.problems.map(\.message) == [message])
        #expect(error.problems.allSatisfy { $0.line == 2 && $0.column > 1 })
    }
}
