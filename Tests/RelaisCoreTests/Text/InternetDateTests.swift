import Foundation
import Testing

@testable import RelaisCore

@Suite struct InternetDateTests {
    @Test func readsTheFormsMailAndHTTPWrite() {
        #expect(InternetDate.parse("Fri, 27 Nov 2026 15:04:05 +0100 (CET)") == Date(timeIntervalSince1970: 1_795_788_245))
        #expect(InternetDate.parse("27 Nov 2026 14:04 GMT") == Date(timeIntervalSince1970: 1_795_788_240))
        #expect(InternetDate.parse("Sun, 06 Nov 94 08:49:37 -0500") == Date(timeIntervalSince1970: 784_111_777 + 5 * 3_600))
        #expect(InternetDate.parse("Thu, 1 Jan 1970 00:00:00 PDT") == Date(timeIntervalSince1970: 7 * 3_600))
        // RFC 850 and asctime go by the formatter.
        #expect(InternetDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(InternetDate.parse("Sun Nov  6 08:49:37 1994") == Date(timeIntervalSince1970: 784_111_777))
        #expect(InternetDate.parse("Mon, 29 Feb 2027 10:00:00 +0000") == nil)  // not a leap year
        #expect(InternetDate.parse("Fri, 27 Nov 2026 24:00:00 +0000") == nil)
        #expect(InternetDate.parse("Fri, 27 Nov 2026 10:00:00 +0160") == nil)
        #expect(InternetDate.parse("yesterday") == nil)
        #expect(InternetDate.parse("") == nil)
    }

    /// The field reader agrees with the formatter on every RFC 5322 date it is given.
    @Test func fieldReaderAgreesWithTheFormatter() {
        var generator = SystemRandomNumberGenerator()
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        for _ in 0..<2_000 {
            let year = Int.random(in: 1950...2099, using: &generator), month = Int.random(in: 1...12, using: &generator)
            let day = Int.random(in: 1...CivilDate.length(ofMonth: month, in: year), using: &generator)
            let offset = Int.random(in: 0...14, using: &generator) * 100 + [0, 30, 45].randomElement(using: &generator)!
            let zone = String(format: "%@%04d", Bool.random(using: &generator) ? "-" : "+", offset)
            let text = String(
                format: "%d %@ %04d %02d:%02d:%02d %@", day, months[month - 1], year, Int.random(in: 0...23, using: &generator),
                Int.random(in: 0...59, using: &generator), Int.random(in: 0...59, using: &generator), zone)
            let fields = text.split(separator: " ")
            let read = InternetDate.rfc5322(fields)
            #expect(read != nil, "\(text)")
            #expect(read == InternetDate.formatted(text), "\(text)")
        }
    }
}
