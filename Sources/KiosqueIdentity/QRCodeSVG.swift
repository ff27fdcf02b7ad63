import CQRencode
import KiosqueModel

/// A QR code drawn by the server as SVG (libqrencode computes the modules; no outside service).
public enum QRCodeSVG {
    /// One `<path>` of dark modules with a four-module quiet zone, titled for screen readers;
    /// nil when the text does not fit a QR code.
    public static func svg(for text: String, title: String, idSuffix: String = "qr") -> String? {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = code.pointee.data!
        var path = ""
        for y in 0..<width {
            for x in 0..<width where data[y * width + x] & 1 == 1 {
                path += "M\(x + 4) \(y + 4)h1v1h-1z"
            }
        }
        let size = width + 8
        let titleID = "\(idSuffix)-title"
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="\(size * 6)" height="\(size * 6)" \
            role="img" aria-labelledby="\(titleID)" shape-rendering="crispEdges"><title id="\(titleID)">\(MarkupEscaping.escape(title))</title>\
            <rect width="\(size)" height="\(size)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
