package dev.quiver.server.plan;

import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlCallBinding;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.implicit.TypeCoercionImpl;

/**
 * Calcite's implicit casts (a string literal compared with a date, an integer with a decimal),
 * except into aggregate functions: {@code SUM(name)} of a string is an error, as in DuckDB, rather
 * than a sum of the strings read as numbers.
 */
final class QuiverTypeCoercion extends TypeCoercionImpl {
  QuiverTypeCoercion(RelDataTypeFactory types, SqlValidator validator) {
    super(types, validator);
  }

  @Override
  public boolean builtinFunctionCoercion(
      SqlCallBinding binding, List<RelDataType> operandTypes, List<SqlTypeFamily> families) {
    if (binding.getOperator().isAggregator()) {
      return false;
    }
    return super.builtinFunctionCoercion(binding, operandTypes, families);
  }
}
