import Testing

@testable import FixtureServer

/// The Digest route's arithmetic: MD5 against RFC 1321's test suite, and RFC 2617's example.
@Suite struct DigestTests {
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5(text: String, hex: String) {
        #expect(MD5.hex(text) == hex)
    }

    /// RFC 2617 section 3.5 (Mufasa): its realm and nonce, checked the way the route checks.
    @Test func theRFCExampleResponse() {
        let ha1 = MD5.hex("Mufasa:testrealm@host.com:Circle Of Life")
        let ha2 = MD5.hex("GET:/dir/index.html")
        let response = MD5.hex("\(ha1):dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:\(ha2)")
        #expect(response == "6629fae49393a05397450978507c4ef1")
        let parameters = FixtureHTTPHandler.digestParameters(
            #"username="Mufasa", realm="fixture", nonce="n", uri="/x", qop=auth, nc=00000001, cnonce="c", response="r""#)
        #expect(parameters["username"] == "Mufasa")
        #expect(parameters["qop"] == "auth")
        #expect(parameters["nc"] == "00000001")
        #expect(parameters["response"] == "r")
    }
}
