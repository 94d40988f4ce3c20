import RelaisCore
import Testing

@Suite struct WorkflowTests {
    let workflow = SampleMap.workflow

    @Test func allowsOnlyDeclaredTransitions() {
        #expect(workflow.allows(from: "new", to: "assigned"))
        #expect(!workflow.allows(from: "new", to: "resolved"))
        #expect(!workflow.allows(from: "resolved", to: "new"))
    }

    @Test func wildcardTransitionIsAllowedFromEveryStatus() {
        for status in workflow.statusOrder where status != "cancelled" {
            #expect(workflow.allows(from: status, to: "cancelled"), "from \(status)")
        }
    }

    @Test func allowedTargetsFollowTheMapOrderAndSkipTheCurrentStatus() {
        #expect(workflow.allowedTargets(from: "in_progress") == ["waiting", "resolved", "cancelled"])
        #expect(workflow.allowedTargets(from: "cancelled") == [])
    }

    @Test func categoriesComeFromTheStatuses() {
        #expect(workflow.category(of: "waiting") == .pending)
        #expect(workflow.category(of: "nowhere") == nil)
    }
}
