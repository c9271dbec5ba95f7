package dev.quiver.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser.ParseContext;
import org.junit.jupiter.api.Test;

class StatementParserTest {
  private final StatementParser parser = new StatementParser();

  @Test
  void enterOnAStatementWithoutItsSemicolonAsksForAnotherLine() {
    assertThatThrownBy(() -> parser.parse("SELECT k", 8, ParseContext.ACCEPT_LINE))
        .isInstanceOf(EOFError.class);
    assertThat(parser.parse("SELECT k;", 9, ParseContext.ACCEPT_LINE).line())
        .isEqualTo("SELECT k;");
    assertThat(parser.parse(".tables", 7, ParseContext.ACCEPT_LINE).words())
        .containsExactly(".tables");
  }

  @Test
  void completesTheWordUnderTheCursor() {
    ParsedLine line = parser.parse("SELECT k FROM tr", 16, ParseContext.COMPLETE);
    assertThat(line.word()).isEqualTo("tr");
    assertThat(line.wordIndex()).isEqualTo(3);
    assertThat(line.wordCursor()).isEqualTo(2);
  }

  @Test
  void aCursorBetweenWordsCompletesAnEmptyOne() {
    ParsedLine line = parser.parse("SELECT COUNT(*) FROM ", 21, ParseContext.COMPLETE);
    assertThat(line.word()).isEmpty();
    assertThat(line.words()).containsExactly("SELECT", "COUNT", "*", "FROM", "");
    assertThat(line.wordIndex()).isEqualTo(4);
  }

  @Test
  void backslashesAreText() {
    assertThat(parser.isEscapeChar('\\')).isFalse();
    assertThat(parser.parse("SELECT 'a\\'", 11, ParseContext.COMPLETE).words())
        .containsExactly("SELECT", "'a\\'");
  }
}
