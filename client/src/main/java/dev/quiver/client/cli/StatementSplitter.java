package dev.quiver.client.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the shell's input into SQL statements at each {@code ;} outside quotes and comments, and
 * tells whether what was typed so far ends a statement: the shell prompts for more until it does.
 * Quotes are SQL's ({@code 'text'} with {@code ''} inside, {@code "identifier"}); comments are
 * {@code -- to the end of the line} and {@code /* ... *}{@code /}.
 */
final class StatementSplitter {
  private StatementSplitter() {}

  /** Whether {@code text} is a dot command ({@code .tables}): one line, no {@code ;} needed. */
  static boolean isDotCommand(String text) {
    return text.strip().startsWith(".");
  }

  /**
   * Whether {@code text} can run as it is: it ends with a {@code ;} outside quotes and comments (a
   * comment may follow it), or holds nothing but blanks and comments, or is a dot command.
   */
  static boolean isComplete(String text) {
    return isDotCommand(text) || scan(text).rest().isEmpty();
  }

  /**
   * The statements of {@code text}, each without its {@code ;} and trimmed; what follows the last
   * {@code ;} counts as one more statement unless it is only blanks and comments.
   */
  static List<String> split(String text) {
    Scan scan = scan(text);
    List<String> statements = new ArrayList<>(scan.statements());
    if (!scan.rest().isEmpty()) {
      statements.add(scan.rest());
    }
    return statements;
  }

  /**
   * @param statements the statements ended by a {@code ;}, without blank ones
   * @param rest what follows the last {@code ;}, trimmed; empty when that is only blanks and
   *     comments (an unclosed quote or block comment counts as text)
   */
  private record Scan(List<String> statements, String rest) {}

  private enum State {
    CODE,
    SINGLE_QUOTED,
    DOUBLE_QUOTED,
    LINE_COMMENT,
    BLOCK_COMMENT
  }

  private static Scan scan(String text) {
    List<String> statements = new ArrayList<>();
    State state = State.CODE;
    int start = 0;
    boolean meaningful = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : '\0';
      switch (state) {
        case CODE -> {
          if (c == ';') {
            String statement = text.substring(start, i).strip();
            if (meaningful) {
              statements.add(statement);
            }
            start = i + 1;
            meaningful = false;
          } else if (c == '-' && next == '-') {
            state = State.LINE_COMMENT;
            i++;
          } else if (c == '/' && next == '*') {
            state = State.BLOCK_COMMENT;
            i++;
          } else if (c == '\'') {
            state = State.SINGLE_QUOTED;
            meaningful = true;
          } else if (c == '"') {
            state = State.DOUBLE_QUOTED;
            meaningful = true;
          } else if (!Character.isWhitespace(c)) {
            meaningful = true;
          }
        }
        case SINGLE_QUOTED -> {
          if (c == '\'') {
            state = State.CODE;
          }
        }
        case DOUBLE_QUOTED -> {
          if (c == '"') {
            state = State.CODE;
          }
        }
        case LINE_COMMENT -> {
          if (c == '\n') {
            state = State.CODE;
          }
        }
        case BLOCK_COMMENT -> {
          if (c == '*' && next == '/') {
            state = State.CODE;
            i++;
          }
        }
      }
    }
    boolean open = state == State.SINGLE_QUOTED || state == State.DOUBLE_QUOTED;
    open |= state == State.BLOCK_COMMENT;
    String rest = meaningful || open ? text.substring(start).strip() : "";
    return new Scan(statements, rest);
  }
}
