import Foundation
import KiosqueSanitize
import Testing

@Suite("Concurrent use")
struct ConcurrencyTests {
    /// The refresh pipeline sanitizes items from several tasks at once with one sanitizer:
    /// libxml2 parses must not share state, and results must not depend on interleaving.
    @Test("one sanitizer used from many tasks gives the serial results")
    func parallelMatchesSerial() async throws {
        let article = try Fixture.text("wordpress-lazyload-article.html")
        let inputs = AttackVectors.all.map(\.html) + [article]
        let sanitizer = Fixture.sanitizer
        let serial = inputs.map { sanitizer.sanitizeAndExtract($0, baseURL: Fixture.base).html }
        let parallel = await withTaskGroup(of: (Int, String).self) { group in
            for round in 0..<4 {
                for (index, input) in inputs.enumerated() {
                    group.addTask { (index, round == 0 ? sanitizer.sanitize(input, baseURL: Fixture.base)
                                                      : sanitizer.sanitizeAndExtract(input, baseURL: Fixture.base).html) }
                }
            }
            var results: [(Int, String)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(parallel.count == inputs.count * 4)
        for (index, html) in parallel { #expect(html == serial[index]) }
    }
}
