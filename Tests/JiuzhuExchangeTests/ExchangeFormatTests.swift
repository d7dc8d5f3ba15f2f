import JiuzhuExchange
import Testing

@Test func speaksFormatVersionOne() {
    #expect(Exchange.formatVersion == 1)
}
