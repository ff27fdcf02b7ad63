/// Whether a short pattern occurs in a text, on UTF-8 bytes: Foundation's `contains` goes through
/// UTF-16 and costs more than the work around it where texts are tens of kilobytes (a MIME part)
/// or searched once per item (the sources' keyword filters). Naive search: patterns are short.
public enum ByteSearch {
    public static func contains(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    public static func contains(_ needle: String, in haystack: String) -> Bool {
        var needle = needle, haystack = haystack
        return haystack.withUTF8 { text in needle.withUTF8 { pattern in contains(pattern, in: text) } }
    }
}
