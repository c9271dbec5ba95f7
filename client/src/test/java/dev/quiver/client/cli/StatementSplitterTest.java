package dev.quiver.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementSplitterTest {
  @Test
  void aStatementEndsAtASemicolonAtTheEndOfTheInput() {
    assertThat(StatementSplitter.isComplete("SELECT k, COUNT(*) AS n\nFROM trips GROUP BY k;"))
        .isTrue();
    assertThat(StatementSplitter.isComplete("SELECT k, COUNT(*) AS n")).isFalse();
    assertThat(StatementSplitter.isComplete("SELECT 1; SELECT")).isFalse();
  }

  @Test
  void aSemicolonInsideQuotesOrCommentsEndsNothing() {
    assertThat(StatementSplitter.isComplete("SELECT * FROM t WHERE s = 'a;")).isFalse();
    assertThat(StatementSplitter.isComplete("SELECT * FROM t WHERE s = 'it''s;'")).isFalse();
    assertThat(StatementSplitter.isComplete("SELECT \"odd;name\" FROM t")).isFalse();
    assertThat(StatementSplitter.isComplete("SELECT 1 -- the end;")).isFalse();
    assertThat(StatementSplitter.isComplete("SELECT 1 /* ; */")).isFalse();
    assertThat(StatementSplitter.split("SELECT ';' AS s, \"a;b\" FROM t; SELECT 2;"))
        .containsExactly("SELECT ';' AS s, \"a;b\" FROM t", "SELECT 2");
  }

  @Test
  void blanksAndCommentsAfterTheLastSemicolonLeaveTheInputComplete() {
    assertThat(StatementSplitter.isComplete("SELECT 1; -- done")).isTrue();
    assertThat(StatementSplitter.isComplete("SELECT 1; /* done */ \n")).isTrue();
    assertThat(StatementSplitter.isComplete("")).isTrue();
    assertThat(StatementSplitter.isComplete("  \n")).isTrue();
    assertThat(StatementSplitter.split("SELECT 1; -- done")).containsExactly("SELECT 1");
  }

  @Test
  void anUnclosedBlockCommentWaitsForItsEnd() {
    assertThat(StatementSplitter.isComplete("/* a comment")).isFalse();
    assertThat(StatementSplitter.isComplete("/* a comment */")).isTrue();
  }

  @Test
  void splitsSeveralStatementsAndDropsEmptyOnes() {
    assertThat(StatementSplitter.split("SELECT 1;;\n SELECT 2 ; ;"))
        .containsExactly("SELECT 1", "SELECT 2");
  }

  @Test
  void whatFollowsTheLastSemicolonIsOneMoreStatement() {
    assertThat(StatementSplitter.split("SELECT 1; SELECT 2"))
        .containsExactly("SELECT 1", "SELECT 2");
  }

  @Test
  void aLineStartingWithADotIsACommandThatNeedsNoSemicolon() {
    assertThat(StatementSplitter.isDotCommand("  .schema trips")).isTrue();
    assertThat(StatementSplitter.isComplete(".mode csv")).isTrue();
    assertThat(StatementSplitter.isDotCommand("SELECT .5 FROM t")).isFalse();
  }
}
