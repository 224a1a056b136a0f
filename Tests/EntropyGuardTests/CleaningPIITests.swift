import XCTest
@testable import EntropyGuard

final class CleaningPIITests: XCTestCase {
    private func mask(_ text: String, _ kinds: Set<PIIKind> = Set(PIIKind.allCases)) -> String {
        maskPII(text, kinds: kinds).text
    }

    private func check(_ cases: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (input, expected) in cases {
            XCTAssertEqual(mask(input), expected, "input: \(input)", file: file, line: line)
        }
    }

    func testEmail() {
        check([
            ("mail john.doe+tag@example.co.uk now", "mail [EMAIL_REMOVED] now"),
            ("John.Doe@Example.COM.", "[EMAIL_REMOVED]."),
            ("<a@b.com>", "<[EMAIL_REMOVED]>"),
            ("mailto:x_y%z@sub-domain.example.org,", "mailto:[EMAIL_REMOVED],"),
            ("a@b@c.com", "a@[EMAIL_REMOVED]"),
            ("user123@mail2.example.io", "[EMAIL_REMOVED]"),
            // Near misses.
            ("@handle and name@ and @ alone", "@handle and name@ and @ alone"),
            ("user@localhost", "user@localhost"),
            ("x@y.c", "x@y.c"),
            ("a@-bad.com", "a@-bad.com"),
            ("a@b..com", "a@b..com"),
            ("version 2@3.5", "version 2@3.5"),
        ])
    }

    func testPhone() {
        check([
            ("call (555) 123-4567 now", "call [PHONE_REMOVED] now"),
            ("call (555)123-4567", "call [PHONE_REMOVED]"),
            ("555-123-4567", "[PHONE_REMOVED]"),
            ("555.123.4567", "[PHONE_REMOVED]"),
            ("555 123 4567", "[PHONE_REMOVED]"),
            ("tel: 555-1234.", "tel: [PHONE_REMOVED]."),
            ("1-800-555-0199", "[PHONE_REMOVED]"),
            ("+1 555 123 4567", "[PHONE_REMOVED]"),
            ("+1-555-123-4567", "[PHONE_REMOVED]"),
            ("+1 (555) 123-4567", "[PHONE_REMOVED]"),
            ("+44 20 7946 0958", "[PHONE_REMOVED]"),
            ("+44 (0)20 7946 0958", "[PHONE_REMOVED]"),
            ("+49 30 123456", "[PHONE_REMOVED]"),
            ("+4930123456", "[PHONE_REMOVED]"),
            ("+33 6 12 34 56 78", "[PHONE_REMOVED]"),
            ("06 12 34 56 78", "[PHONE_REMOVED]"),
            ("020 7946 0958", "[PHONE_REMOVED]"),
            ("030 123456", "[PHONE_REMOVED]"),
            ("(call 555-1234)", "(call [PHONE_REMOVED])"),
            ("call 555-123-4567.Thanks", "call [PHONE_REMOVED].Thanks"),
            ("call 555-123-4567-ext", "call [PHONE_REMOVED]-ext"),
            // Segmentation at spaces: the neighbouring number stays, the phone is masked whole.
            ("in 2024 555-123-4567", "in 2024 [PHONE_REMOVED]"),
            ("call 555 123 4567 or 555 1234 2", "call [PHONE_REMOVED] or [PHONE_REMOVED] 2"),
            ("phone 555 123 4567 12 people", "phone [PHONE_REMOVED] 12 people"),
            ("555-123-4567 2024", "[PHONE_REMOVED] 2024"),
            // Near misses.
            ("order 1234567890", "order 1234567890"),
            ("order #1234567890", "order #1234567890"),
            ("ORD-2024-001234", "ORD-2024-001234"),
            ("date 2024-01-15 and 15.01.2024", "date 2024-01-15 and 15.01.2024"),
            ("pi is 3.14159 and 12345.678", "pi is 3.14159 and 12345.678"),
            ("population 1 000 000 or 12.345.678", "population 1 000 000 or 12.345.678"),
            ("room 12 34", "room 12 34"),
            ("years 1999-2024 and 2010 2020", "years 1999-2024 and 2010 2020"),
            ("0171 1234567 or 0171-1234567", "[PHONE_REMOVED] or [PHONE_REMOVED]"),
            ("fax: 49-30-1234567", "fax: [PHONE_REMOVED]"),
            ("ISBN 978-3-16-148410-0", "ISBN 978-3-16-148410-0"),
            ("UUID 123e4567-e89b-12d3-a456-426614174000", "UUID 123e4567-e89b-12d3-a456-426614174000"),
            ("10:30-11:45", "10:30-11:45"),
            ("+12 3", "+12 3"),
            ("1234 5678 9012 3456", "1234 5678 9012 3456"),
            ("abc555-123-4567", "abc555-123-4567"),
            ("+1234567890123456", "+1234567890123456"),
        ])
    }

    func testSSN() {
        check([
            ("SSN 123-45-6789.", "SSN [SSN_REMOVED]."),
            ("078-05-1120", "[SSN_REMOVED]"),
            // Invalid ranges and shapes stay.
            ("000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000", "000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000"),
            ("123456789", "123456789"),
        ])
        // Shape near misses, with only SSN enabled (other kinds may legitimately claim them).
        for text in ["1123-45-6789", "123-45-67890", "A123-45-6789", "123 45 6789", "123-45-6789-1"] {
            XCTAssertEqual(mask(text, [.ssn]), text)
        }
        XCTAssertEqual(mask("123-45-6789", [.ssn]), "[SSN_REMOVED]")
    }

    func testCreditCard() {
        check([
            // The Python tool turned 4532123456789010 into "[PHONE_REMOVED]010". That number fails Luhn,
            // so it is not a card and stays whole; its Luhn-valid sibling is masked whole.
            ("card 4532123456789014 exp", "card [CREDIT_CARD_REMOVED] exp"),
            ("card 4532123456789010 exp", "card 4532123456789010 exp"),
            ("4111 1111 1111 1111", "[CREDIT_CARD_REMOVED]"),
            ("4111-1111-1111-1111", "[CREDIT_CARD_REMOVED]"),
            ("amex 3782 822463 10005.", "amex [CREDIT_CARD_REMOVED]."),
            ("378282246310005", "[CREDIT_CARD_REMOVED]"),
            ("5500 0000 0000 0004 exp 2027", "[CREDIT_CARD_REMOVED] exp 2027"),
            ("6011111111111117", "[CREDIT_CARD_REMOVED]"),
            ("4111 1111 1111 1111 2024", "[CREDIT_CARD_REMOVED] 2024"),
            ("paid with 4111111111111111.Thanks", "paid with [CREDIT_CARD_REMOVED].Thanks"),
            // Near misses.
            ("4111 1111 1111 1112", "4111 1111 1111 1112"),
            ("1234567890123456", "1234567890123456"),
            ("41111111111111110", "41111111111111110"),
            // Luhn-valid by chance but not card-grouped (3-digit groups): not a card.
            ("card 5551 1234 5678 2024 5551 234", "card 5551 1234 5678 2024 5551 234"),
            ("id 4111111111111111111111", "id 4111111111111111111111"),
            ("x4111111111111111", "x4111111111111111"),
            ("4111111111111111-2", "4111111111111111-2"),
        ])
    }

    func testIP() {
        check([
            ("host 192.168.1.10 up", "host [IP_REMOVED] up"),
            ("10.0.0.1, 255.255.255.255 and 0.0.0.0.", "[IP_REMOVED], [IP_REMOVED] and [IP_REMOVED]."),
            ("1.2.3.4", "[IP_REMOVED]"),
            ("v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok", "v6 [IP_REMOVED] ok"),
            ("2001:db8::1", "[IP_REMOVED]"),
            ("::1 and fe80::1ff:fe23:4567:890a.", "[IP_REMOVED] and [IP_REMOVED]."),
            ("::ffff:192.0.2.128", "[IP_REMOVED]"),
            ("at [2001:db8::42]:", "at [[IP_REMOVED]]:"),
            // Near misses.
            ("256.1.1.1 and 1.2.3 and 1.2.3.4.5", "256.1.1.1 and 1.2.3 and 1.2.3.4.5"),
            ("01.02.03.04", "01.02.03.04"),
            ("version 1.2.3.4, v1.2.3.4, build 10.0.19041.1", "version 1.2.3.4, v1.2.3.4, build 10.0.19041.1"),
            ("12:30:45", "12:30:45"),
            ("mac 00:1A:2B:3C:4D:5E", "mac 00:1A:2B:3C:4D:5E"),
            ("std::vector and a::b", "std::vector and a::b"),
            ("1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8:9"),
            ("2001:db8::1::2", "2001:db8::1::2"),
        ])
    }

    func testIBAN() {
        check([
            ("IBAN GB82WEST12345698765432.", "IBAN [IBAN_REMOVED]."),
            ("GB82 WEST 1234 5698 7654 32", "[IBAN_REMOVED]"),
            ("DE89 3704 0044 0532 0130 00 paid", "[IBAN_REMOVED] paid"),
            ("FR1420041010050500013M02606", "[IBAN_REMOVED]"),
            ("NO9386011117947", "[IBAN_REMOVED]"),
            // Near misses: bad checksum, wrong length, unknown country, lowercase, glued.
            ("GB82WEST12345698765433", "GB82WEST12345698765433"),
            ("GB82WEST1234569876543", "GB82WEST1234569876543"),
            ("ZZ82WEST12345698765432", "ZZ82WEST12345698765432"),
            ("gb82west12345698765432", "gb82west12345698765432"),
            ("XGB82WEST12345698765432", "XGB82WEST12345698765432"),
        ])
    }

    func testPriorityAndCounts() {
        // The IBAN's digits also look like a card/phone; the IBAN wins and covers the whole span.
        let result = maskPII("pay DE89370400440532013000 or mail a.b@c.de, call +1 555 123 4567, ip 10.1.2.3")
        XCTAssertEqual(result.text, "pay [IBAN_REMOVED] or mail [EMAIL_REMOVED], call [PHONE_REMOVED], ip [IP_REMOVED]")
        XCTAssertEqual(result.counts, [.iban: 1, .email: 1, .phone: 1, .ip: 1])
        // Email beats the phone-looking local part.
        XCTAssertEqual(mask("555-123-4567@sms.example.com"), "[EMAIL_REMOVED]")
        // A dotted quad is an IP, not a phone.
        XCTAssertEqual(mask("192.168.100.200"), "[IP_REMOVED]")
        // With IP disabled the quad is not force-fitted into a phone (dot groups must be one whole number).
        XCTAssertEqual(mask("192.168.100.200", [.phone]), "192.168.100.200")
    }

    func testKindSelection() {
        let text = "a@b.com 555-123-4567 123-45-6789"
        XCTAssertEqual(mask(text, [.email]), "[EMAIL_REMOVED] 555-123-4567 123-45-6789")
        XCTAssertEqual(mask(text, [.phone]), "a@b.com [PHONE_REMOVED] 123-45-6789")
        XCTAssertEqual(mask(text, []), text)
        XCTAssertEqual(PIIKind(rawValue: "credit_card"), .credit_card)
    }

    func testNothingToMaskReturnsInput() {
        let result = maskPII("no digits or at signs here")
        XCTAssertEqual(result.text, "no digits or at signs here")
        XCTAssertTrue(result.counts.isEmpty)
    }
}

final class CleaningPIIKindListTests: XCTestCase {
    func testParseList() throws {
        XCTAssertEqual(try PIIKind.parseList("email, phone,credit_card"), [.email, .phone, .credit_card])
        XCTAssertEqual(try PIIKind.parseList("all"), Set(PIIKind.allCases))
        XCTAssertEqual(try PIIKind.parseList("none"), [])
        XCTAssertEqual(try PIIKind.parseList(""), [])
        XCTAssertThrowsError(try PIIKind.parseList("email,passport")) { error in
            XCTAssertEqual("\(error)", "unknown PII kind 'passport' (expected one of: email, phone, ssn, credit_card, ip, iban, all, none)")
        }
    }
}
