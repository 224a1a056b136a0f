import XCTest
final class EntropyGuardTestsSmoke: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
