package dev.quiver.client.cli;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.Parser;

/**
 * How the shell's line reader sees what was typed. Enter runs it only once it ends a statement
 * ({@link StatementSplitter#isComplete}); before that, Enter starts a continuation line, so that a
 * statement of several lines is edited, run and kept in the history as one. Words, for completion,
 * are split at blanks, commas, parentheses and {@code ;}.
 */
final class StatementParser implements Parser {
  @Override
  public CompletingParsedLine parse(String line, int cursor, ParseContext context) {
    if (context == ParseContext.ACCEPT_LINE && !StatementSplitter.isComplete(line)) {
      throw new EOFError(-1, cursor, "The statement goes on until a ';'", ";");
    }
    return Words.of(line, cursor);
  }

  /** SQL has no escape characters outside its quotes: a backslash is text. */
  @Override
  public boolean isEscapeChar(char ch) {
    return false;
  }

  /**
   * The words of a line and the one the cursor is in (an empty word when it stands between two).
   * Words are taken as typed: completion inserts names and keywords without quoting them.
   */
  record Words(
      String word, int wordCursor, int wordIndex, List<String> words, String line, int cursor)
      implements CompletingParsedLine {
    Words {
      words = List.copyOf(words);
    }

    @Override
    public CharSequence escape(CharSequence candidate, boolean complete) {
      return candidate;
    }

    @Override
    public int rawWordCursor() {
      return wordCursor;
    }

    @Override
    public int rawWordLength() {
      return word.length();
    }

    static Words of(String line, int cursor) {
      List<String> words = new ArrayList<>();
      int wordIndex = -1;
      int wordCursor = 0;
      int start = -1;
      for (int i = 0; i <= line.length(); i++) {
        boolean delimiter = i == line.length() || isDelimiter(line.charAt(i));
        if (!delimiter && start < 0) {
          start = i;
        } else if (delimiter && start >= 0) {
          if (start <= cursor && cursor <= i) {
            wordIndex = words.size();
            wordCursor = cursor - start;
          }
          words.add(line.substring(start, i));
          start = -1;
        }
        if (i == cursor && wordIndex < 0 && start < 0) {
          wordIndex = words.size();
          words.add("");
        }
      }
      return new Words(words.get(wordIndex), wordCursor, wordIndex, words, line, cursor);
    }

    private static boolean isDelimiter(char c) {
      return Character.isWhitespace(c) || c == ',' || c == '(' || c == ')' || c == ';';
    }
  }
}
