import RelaisCore
import Testing

@Suite struct PasswordPolicyTests {
    @Test func longEnoughPasswordsPassWithoutCharacterClassRules() {
        #expect(PasswordPolicy.problem(with: "correct horse battery", login: "sam") == nil)
        #expect(PasswordPolicy.problem(with: "tremblement-de-terre", login: "sam") == nil)
    }

    @Test(arguments: [
        ("short1", "at least 10"),
        (String(repeating: "é", count: 40), "at most 72 bytes"),
        ("samantha-jones", "login"),
        ("aaaaaaaaaaaaaaab", "more than one or two"),
    ])
    func weakPasswordsAreNamed(password: String, reason: String) {
        let login = password == "samantha-jones" ? "Samantha-Jones" : "sam"
        #expect(PasswordPolicy.problem(with: password, login: login)?.contains(reason) == true)
    }
}
