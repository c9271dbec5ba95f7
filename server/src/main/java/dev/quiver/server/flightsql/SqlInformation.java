package dev.quiver.server.flightsql;

import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlNullOrdering;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedCaseSensitivity;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedTransaction;
import org.apache.arrow.flight.sql.impl.FlightSql.SupportedAnsi92SqlGrammarLevel;
import org.apache.arrow.flight.sql.impl.FlightSql.SupportedSqlGrammar;

/** What Quiver tells Flight SQL clients about itself ({@code CommandGetSqlInfo}). */
final class SqlInformation {
  private SqlInformation() {}

  static SqlInfoBuilder of(String version) {
    return new SqlInfoBuilder()
        .withFlightSqlServerName("Quiver")
        .withFlightSqlServerVersion(version)
        .withFlightSqlServerArrowVersion("18.3.0")
        .withFlightSqlServerReadOnly(true)
        .withFlightSqlServerSql(true)
        .withFlightSqlServerSubstrait(false)
        .withFlightSqlServerTransaction(SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
        .withFlightSqlServerCancel(true)
        .withFlightSqlServerBulkIngestion(false)
        .withSqlTransactionsSupported(false)
        .withSqlSavepointsSupported(false)
        .withSqlDdlCatalog(false)
        .withSqlDdlSchema(false)
        .withSqlDdlTable(false)
        .withSqlIdentifierQuoteChar("\"")
        .withSqlIdentifierCase(SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
        .withSqlQuotedIdentifierCase(
            SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
        .withSqlSearchStringEscape("\\")
        .withSqlSchemaTerm("schema")
        .withSqlCatalogTerm("catalog")
        .withSqlNullOrdering(SqlNullOrdering.SQL_NULLS_SORTED_AT_END)
        .withSqlSupportedGrammar(SupportedSqlGrammar.SQL_MINIMUM_GRAMMAR)
        .withSqlAnsi92SupportedLevel(SupportedAnsi92SqlGrammarLevel.ANSI92_ENTRY_SQL)
        .withSqlSupportsColumnAliasing(true)
        .withSqlNullPlusNullIsNull(true)
        .withSqlSupportsLikeEscapeClause(true)
        .withSqlSupportsExpressionsInOrderBy(false)
        .withSqlSupportsOrderByUnrelated(true)
        .withSqlSupportsTableCorrelationNames(true)
        .withSqlCorrelatedSubqueriesSupported(false)
        .withSqlStoredProceduresSupported(false)
        .withSqlSelectForUpdateSupported(false)
        .withSqlBatchUpdatesSupported(false)
        .withSqlNamedParametersSupported(false)
        .withSqlAllTablesAreSelectable(true)
        .withSqlMaxTablesInSelect(1)
        .withSqlNumericFunctions(new String[] {"SUM", "AVG", "MIN", "MAX", "COUNT"})
        .withSqlStringFunctions(new String[] {})
        .withSqlSystemFunctions(new String[] {})
        .withSqlDatetimeFunctions(new String[] {});
  }
}
