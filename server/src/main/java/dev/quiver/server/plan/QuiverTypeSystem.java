package dev.quiver.server.plan;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The result types of aggregates, as the aggregation kernels compute them (and close to DuckDB):
 * SUM of integers is BIGINT, of floating point DOUBLE, of DECIMAL(p, s) DECIMAL(38, s); AVG is
 * DOUBLE. Decimals go up to 38 digits.
 */
final class QuiverTypeSystem extends RelDataTypeSystemImpl {
  static final QuiverTypeSystem INSTANCE = new QuiverTypeSystem();

  /** {@code CASE WHEN ... THEN 'big' ELSE 'small' END} is VARCHAR, not a blank-padded CHAR(5). */
  @Override
  public boolean shouldConvertRaggedUnionTypesToVarying() {
    return true;
  }

  @Override
  public int getMaxPrecision(SqlTypeName typeName) {
    return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxPrecision(typeName);
  }

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory types, RelDataType argument) {
    RelDataType sum =
        switch (argument.getSqlTypeName()) {
          case TINYINT, SMALLINT, INTEGER, BIGINT -> types.createSqlType(SqlTypeName.BIGINT);
          case DECIMAL -> types.createSqlType(SqlTypeName.DECIMAL, 38, argument.getScale());
          case REAL, FLOAT, DOUBLE -> types.createSqlType(SqlTypeName.DOUBLE);
          default -> argument;
        };
    return types.createTypeWithNullability(sum, argument.isNullable());
  }

  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory types, RelDataType argument) {
    return types.createTypeWithNullability(
        types.createSqlType(SqlTypeName.DOUBLE), argument.isNullable());
  }
}
