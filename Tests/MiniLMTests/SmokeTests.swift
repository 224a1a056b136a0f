import XCTest
final class MiniLMTestsSmoke: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
