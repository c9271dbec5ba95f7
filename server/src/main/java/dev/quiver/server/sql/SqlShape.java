package dev.quiver.server.sql;

/**
 * What makes SQL text expensive to parse, counted in one pass before the parser sees it, outside
 * quoted text: how deep parentheses nest (the parser recurses per level) and how many operators it
 * holds (Calcite's parser orders the operators of one expression by precedence in time quadratic in
 * their number: 40,000 {@code OR}s take it 20 s, 160,000 over 10 minutes). Each operator is at
 * least one node of the parsed query, so more operators than the nodes allowed are refused
 * unparsed.
 *
 * @param depth the deepest nesting of parentheses
 * @param operators operators: {@code AND}, {@code OR}, {@code NOT}, comparisons, arithmetic, {@code
 *     ||} (not signs: a list of negative numbers holds none)
 */
public record SqlShape(int depth, int operators) {
  /** Measures {@code sql}. */
  public static SqlShape of(String sql) {
    int depth = 0;
    int deepest = 0;
    int operators = 0;
    char quote = 0;
    // Whether the last token ends an operand (a name, a number, a closing parenthesis or quote),
    // so that a following minus is binary rather than a sign.
    boolean afterOperand = false;
    int i = 0;
    int length = sql.length();
    while (i < length) {
      char c = sql.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0; // a doubled quote closes and reopens: nothing else changes
          afterOperand = true;
        }
        i++;
      } else if (c == '\'' || c == '"') {
        quote = c;
        i++;
      } else if (c == '(') {
        deepest = Math.max(deepest, ++depth);
        afterOperand = false;
        i++;
      } else if (c == ')') {
        depth--;
        afterOperand = true;
        i++;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
        int start = i;
        while (i < length
            && (Character.isLetterOrDigit(sql.charAt(i))
                || sql.charAt(i) == '_'
                || sql.charAt(i) == '.')) {
          i++;
        }
        boolean logical =
            i - start == 3
                    && (sql.regionMatches(true, start, "AND", 0, 3)
                        || sql.regionMatches(true, start, "NOT", 0, 3))
                || i - start == 2 && sql.regionMatches(true, start, "OR", 0, 2);
        if (logical) {
          operators++;
        }
        afterOperand = !logical;
      } else if ("=<>!+*/%|".indexOf(c) >= 0 || c == '-' && afterOperand) {
        operators++;
        while (i < length && "=<>!+*/%|".indexOf(sql.charAt(i)) >= 0) {
          i++;
        }
        if (i < length && c == '-') {
          i++;
        }
        afterOperand = false;
      } else {
        if (!Character.isWhitespace(c)) {
          afterOperand = false;
        }
        i++;
      }
    }
    return new SqlShape(deepest, operators);
  }
}
