package dev.quiver.server.plan;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorCatalogReader;
import org.apache.calcite.sql.validate.SqlValidatorImpl;
import org.apache.calcite.sql.validate.SqlValidatorScope;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;
import org.apache.calcite.sql2rel.StandardConvertletTable;

/**
 * Planning that stops when its thread is interrupted: Calcite's validator looks at every expression
 * of the query and does not check on its own. A plan whose caller gave up (it timed out, or the
 * client went away) stops at its next expression with CANCELLED instead of running to its end:
 * validation, conversion to relational algebra and translation to Quiver's expressions all check.
 * (The parser cannot be stopped; {@code SqlShape} bounds its work before it starts, and {@code
 * ExpressionSize} bounds the rest before validation.)
 */
final class Interruptible {
  private Interruptible() {}

  /**
   * @throws QuiverException CANCELLED if the current thread was interrupted
   */
  static void check() {
    if (Thread.currentThread().isInterrupted()) {
      throw new QuiverException(ErrorCode.CANCELLED, "Planning was cancelled");
    }
  }

  /** Calcite's convertlets, checking for interruption at every call they convert. */
  static final SqlRexConvertletTable CONVERTLETS =
      call -> {
        check();
        return StandardConvertletTable.INSTANCE.get(call);
      };

  /** Calcite's validator, checking for interruption at every expression whose type it derives. */
  static final class Validator extends SqlValidatorImpl {
    Validator(
        SqlOperatorTable operators,
        SqlValidatorCatalogReader catalog,
        RelDataTypeFactory types,
        SqlValidator.Config config) {
      super(operators, catalog, types, config);
    }

    @Override
    public RelDataType deriveType(SqlValidatorScope scope, SqlNode expression) {
      check();
      return super.deriveType(scope, expression);
    }
  }
}
