import Foundation
import Testing

@testable import RelaisCore

/// Scenarios of SLA clocks on the office calendar of Paris (08:30-12:30, 13:30-18:00, Monday to Friday).
@Suite struct SLAClockTests {
    static let hour = CalendarTimelineTests.hour
    static let minute = hour / 60
    static let timeline = CalendarTimelineTests.paris.timeline()!
    static func at(_ text: String) -> Int64 { CalendarTimelineTests.instant(text) }

    static let policy = SLAPolicy(
        code: "standard", calendar: "paris", pauseIn: ["waiting"],
        targets: [
            "P1": [.firstResponse: 1800, .resolution: 4 * 3600],
            "P2": [.firstResponse: 3600, .resolution: 8 * 3600, .nextResponse: 2 * 3600, .periodicUpdate: 4 * 3600],
            "P3": [.firstResponse: 4 * 3600, .resolution: 24 * 3600],
        ])

    static func opened(_ time: String, priority: String? = "P2", status: String = "new") -> SLAEvent {
        SLAEvent(at: at(time), .opened(status: status, category: status == "waiting" ? .pending : .new, priority: priority))
    }
    static func status(_ time: String, _ status: String) -> SLAEvent {
        let category: StatusCategory =
            switch status {
            case "waiting": .pending
            case "resolved": .solved
            case "closed": .closed
            default: .open
            }
        return SLAEvent(at: at(time), .status(status, category: category))
    }
    static func reply(_ time: String, requester: Bool = false, isPublic: Bool = true) -> SLAEvent {
        SLAEvent(at: at(time), .reply(byRequester: requester, isPublic: isPublic))
    }

    func evaluate(_ events: [SLAEvent], policy: SLAPolicy = Self.policy, now: String) -> [SLAPolicy.Metric: SLAMetricState] {
        let state = SLAClock.evaluate(events, policy: policy, timeline: Self.timeline, now: Self.at(now))
        return Dictionary(uniqueKeysWithValues: state.metrics.map { ($0.metric, $0) })
    }

    @Test func aClockCountsOnlyOpeningHours() throws {
        // Opened Monday 30 November 2026 at 17:00: one hour left that day.
        let metrics = evaluate([Self.opened("2026-11-30T17:00:00+01:00")], now: "2026-12-01T09:00:00+01:00")
        let resolution = try #require(metrics[.resolution])
        #expect(resolution.elapsedMilliseconds == Self.hour + 30 * Self.minute)
        #expect(resolution.clock == .running)
        #expect(resolution.dueAt == Self.at("2026-12-01T16:30:00+01:00"))
        #expect(resolution.warningAt == Self.at("2026-12-01T14:54:00+01:00"))
        let first = try #require(metrics[.firstResponse])
        #expect(first.breachedAt == Self.at("2026-11-30T18:00:00+01:00"))
        #expect(first.met == false)
        // A metric the policy does not set for the priority is not reported.
        #expect(evaluate([Self.opened("2026-11-30T17:00:00+01:00", priority: "P1")], now: "2026-11-30T17:01:00+01:00")[.nextResponse] == nil)
    }

    @Test func waitingForTheCustomerPausesAndIsListed() throws {
        let events = [
            Self.opened("2026-12-01T09:00:00+01:00"),
            Self.reply("2026-12-01T09:10:00+01:00"),
            Self.status("2026-12-01T10:00:00+01:00", "waiting"),
            Self.status("2026-12-02T10:00:00+01:00", "in_progress"),
        ]
        let metrics = evaluate(events, now: "2026-12-02T11:00:00+01:00")
        let resolution = try #require(metrics[.resolution])
        #expect(resolution.elapsedMilliseconds == 2 * Self.hour)
        #expect(resolution.pauses == [.init(from: Self.at("2026-12-01T10:00:00+01:00"), to: Self.at("2026-12-02T10:00:00+01:00"))])
        #expect(resolution.dueAt == Self.at("2026-12-02T18:00:00+01:00"))
        let first = try #require(metrics[.firstResponse])
        #expect(first.clock == .stopped && first.met == true && first.elapsedMilliseconds == 10 * Self.minute)
        // While paused, nothing is due and the clock says so.
        let paused = evaluate(Array(events.prefix(3)), now: "2026-12-01T15:00:00+01:00")
        #expect(paused[.resolution]?.clock == .paused)
        #expect(paused[.resolution]?.dueAt == nil)
        #expect(
            SLAClock.evaluate(Array(events.prefix(3)), policy: Self.policy, timeline: Self.timeline, now: Self.at("2026-12-01T15:00:00+01:00"))
                .nextDue == nil)
    }

    @Test(arguments: [SLAPolicy.Reopen.resume, .restart])
    func reopeningASolvedTicket(rule: SLAPolicy.Reopen) throws {
        var policy = Self.policy
        policy.onReopen = rule
        let events = [
            Self.opened("2026-12-01T09:00:00+01:00"),
            Self.status("2026-12-01T12:00:00+01:00", "resolved"),
            Self.status("2026-12-03T09:00:00+01:00", "in_progress"),
        ]
        let solved = try #require(evaluate(Array(events.prefix(2)), policy: policy, now: "2026-12-02T09:00:00+01:00")[.resolution])
        #expect(solved.clock == .stopped && solved.met == true && solved.stoppedAt == Self.at("2026-12-01T12:00:00+01:00"))
        let reopened = try #require(evaluate(events, policy: policy, now: "2026-12-03T10:00:00+01:00")[.resolution])
        #expect(reopened.clock == .running)
        switch rule {
        case .resume:
            // Three hours before, one after; the two days solved do not count.
            #expect(reopened.elapsedMilliseconds == 4 * Self.hour)
            #expect(reopened.cycles == 1)
            #expect(reopened.dueAt == Self.at("2026-12-03T15:00:00+01:00"))
        case .restart:
            #expect(reopened.elapsedMilliseconds == Self.hour)
            #expect(reopened.cycles == 2)
            #expect(reopened.startedAt == Self.at("2026-12-03T09:00:00+01:00"))
        }
    }

    @Test func raisingThePriorityRetargetsFromTheOriginalStart() throws {
        let events = [
            Self.opened("2026-12-01T09:00:00+01:00", priority: "P3"),
            Self.reply("2026-12-01T09:05:00+01:00"),
            SLAEvent(at: Self.at("2026-12-01T11:00:00+01:00"), .priority("P1")),
        ]
        let up = try #require(evaluate(events, now: "2026-12-01T11:30:00+01:00")[.resolution])
        #expect(up.targetSeconds == 4 * 3600)
        #expect(up.dueAt == Self.at("2026-12-01T14:00:00+01:00"))
        // Raised past its target: the breach is dated at the change, not before the target existed.
        let late = [Self.opened("2026-12-01T09:00:00+01:00", priority: "P3"), SLAEvent(at: Self.at("2026-12-01T15:00:00+01:00"), .priority("P1"))]
        let breached = try #require(evaluate(late, now: "2026-12-01T15:10:00+01:00")[.resolution])
        #expect(breached.breachedAt == Self.at("2026-12-01T15:00:00+01:00"))
        #expect(breached.remainingMilliseconds == -(70 * Self.minute))
    }

    @Test func loweringThePriorityGivesMoreTimeButKeepsABreachThatHappened() throws {
        let down = [Self.opened("2026-12-01T09:00:00+01:00", priority: "P1"), SLAEvent(at: Self.at("2026-12-01T10:00:00+01:00"), .priority("P3"))]
        let resolution = try #require(evaluate(down, now: "2026-12-01T10:00:00+01:00")[.resolution])
        #expect(resolution.targetSeconds == 24 * 3600)
        #expect(resolution.breachedAt == nil)
        // First response at P1 (30 minutes) was already missed at 09:30: it stays missed.
        let first = try #require(evaluate(down, now: "2026-12-01T10:00:00+01:00")[.firstResponse])
        #expect(first.breachedAt == Self.at("2026-12-01T09:30:00+01:00"))
        #expect(first.targetSeconds == 4 * 3600)
    }

    @Test func restartingOnPriorityChangeStartsTheRunningClocksAgain() throws {
        var policy = Self.policy
        policy.onPriorityChange = .restart
        let events = [Self.opened("2026-12-01T09:00:00+01:00", priority: "P3"), SLAEvent(at: Self.at("2026-12-01T11:00:00+01:00"), .priority("P1"))]
        let resolution = try #require(evaluate(events, policy: policy, now: "2026-12-01T11:30:00+01:00")[.resolution])
        #expect(resolution.startedAt == Self.at("2026-12-01T11:00:00+01:00"))
        #expect(resolution.elapsedMilliseconds == 30 * Self.minute)
        #expect(resolution.dueAt == Self.at("2026-12-01T16:00:00+01:00"))
        #expect(resolution.cycles == 2)
        // A priority set by routing in the instant of opening restarts nothing.
        let routed = [Self.opened("2026-12-01T09:00:00+01:00", priority: nil), SLAEvent(at: Self.at("2026-12-01T09:00:00+01:00"), .priority("P1"))]
        #expect(evaluate(routed, policy: policy, now: "2026-12-01T09:30:00+01:00")[.resolution]?.cycles == 1)
    }

    @Test func aNewPolicyAppliesToTheWholeHistory() throws {
        let events = [Self.opened("2026-12-01T09:00:00+01:00"), Self.reply("2026-12-01T09:20:00+01:00")]
        var stricter = Self.policy
        stricter.targets["P2"]?[.resolution] = 2 * 3600
        let before = try #require(evaluate(events, now: "2026-12-01T12:00:00+01:00")[.resolution])
        let after = try #require(evaluate(events, policy: stricter, now: "2026-12-01T12:00:00+01:00")[.resolution])
        #expect(before.breachedAt == nil)
        #expect(after.breachedAt == Self.at("2026-12-01T11:00:00+01:00"))
    }

    @Test func nextResponseRunsFromTheOldestUnansweredMessage() throws {
        let events = [
            Self.opened("2026-12-01T09:00:00+01:00"),
            Self.reply("2026-12-01T09:30:00+01:00"),
            Self.reply("2026-12-01T10:00:00+01:00", requester: true),
            Self.reply("2026-12-01T11:00:00+01:00", requester: true),
            Self.reply("2026-12-01T11:15:00+01:00", isPublic: false),
        ]
        let waiting = try #require(evaluate(events, now: "2026-12-01T11:30:00+01:00")[.nextResponse])
        #expect(waiting.startedAt == Self.at("2026-12-01T10:00:00+01:00"))
        #expect(waiting.dueAt == Self.at("2026-12-01T12:00:00+01:00"))
        let answered = try #require(evaluate(events + [Self.reply("2026-12-01T14:00:00+01:00")], now: "2026-12-01T15:00:00+01:00")[.nextResponse])
        #expect(answered.clock == .stopped)
        #expect(answered.breachedAt == Self.at("2026-12-01T12:00:00+01:00"))
        #expect(answered.cycles == 1 && answered.breaches == 1)
    }

    @Test func periodicUpdatesRestartAtEachPublicReply() throws {
        // Four hours allowed between updates: 09:00 to 14:30 is four and a half.
        let events = [Self.opened("2026-12-01T09:00:00+01:00"), Self.reply("2026-12-01T14:30:00+01:00")]
        let update = try #require(evaluate(events, now: "2026-12-01T15:00:00+01:00")[.periodicUpdate])
        #expect(update.cycles == 2)
        #expect(update.breaches == 1)
        #expect(update.startedAt == Self.at("2026-12-01T14:30:00+01:00"))
        #expect(update.elapsedMilliseconds == 30 * Self.minute)
        #expect(update.breachedAt == nil)
    }

    @Test func aBreachDuringAHolidayWeekendFallsOnTheNextOpenMinute() throws {
        // P1 opened Thursday 24 December 2026 at 17:00: one hour that day, then Christmas (closed),
        // a closed Saturday, and Sunday 27 open 09:00-12:00 by exception: four hours run out Sunday at noon.
        let opened = [Self.opened("2026-12-24T17:00:00+01:00", priority: "P1")]
        let state = SLAClock.evaluate(opened, policy: Self.policy, timeline: Self.timeline, now: Self.at("2026-12-26T12:00:00+01:00"))
        let resolution = try #require(state.metrics.first { $0.metric == .resolution })
        #expect(resolution.dueAt == Self.at("2026-12-27T12:00:00+01:00"))
        #expect(resolution.breachedAt == nil)
        #expect(state.nextDue == Self.at("2026-12-27T11:12:00+01:00"), "the resolution warning, at 80 % of four hours")
        let start = Self.at("2026-12-24T17:00:00+01:00")
        let later = SLAClock.evaluate(opened, policy: Self.policy, timeline: Self.timeline, now: Self.at("2026-12-28T10:00:00+01:00"))
        #expect(
            later.firings.map(\.key) == [
                "first_response/\(start)/warning", "first_response/\(start)/breach", "resolution/\(start)/warning", "resolution/\(start)/breach",
            ])
        #expect(
            later.firings.map(\.at)
                == ["2026-12-24T17:24:00+01:00", "2026-12-24T17:30:00+01:00", "2026-12-27T11:12:00+01:00", "2026-12-27T12:00:00+01:00"].map(Self.at))
    }

    @Test func replayingTheSameHistoryGivesTheSameState() {
        let events = [
            Self.opened("2026-12-01T09:00:00+01:00"), Self.status("2026-12-01T10:00:00+01:00", "waiting"),
            Self.status("2026-12-01T16:00:00+01:00", "in_progress"), Self.reply("2026-12-02T09:00:00+01:00"),
        ]
        let once = SLAClock.evaluate(events, policy: Self.policy, timeline: Self.timeline, now: Self.at("2026-12-03T09:00:00+01:00"))
        let twice = SLAClock.evaluate(events, policy: Self.policy, timeline: Self.timeline, now: Self.at("2026-12-03T09:00:00+01:00"))
        #expect(once == twice)
        // Events after `now` are not seen.
        let earlier = SLAClock.evaluate(events, policy: Self.policy, timeline: Self.timeline, now: Self.at("2026-12-01T11:00:00+01:00"))
        #expect(earlier.metrics.first { $0.metric == .resolution }?.clock == .paused)
    }
}
