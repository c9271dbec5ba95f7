package dev.quiver.server.plan;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.TreePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.config.NullCollation;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.metadata.ProxyingMetadataHandlerProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.tools.RelBuilder;

/**
 * Plans a parsed SELECT with Calcite: validates it against the catalog ({@link SqlValidator}:
 * names, types, implicit casts, GROUP BY rules, by the SQL standard), converts it to relational
 * algebra ({@link SqlToRelConverter}), and hands that to {@link QueryBuilder}.
 *
 * <p>Validation errors are INVALID_ARGUMENT with their line and column; an unknown column lists the
 * dataset's columns. A planner is cheap and used for one query.
 */
public final class LogicalPlanner {
  private final Catalog catalog;
  private final String schemaName;
  private final List<String> visible;

  /**
   * @param visible the datasets the caller may read: {@code information_schema} lists these
   */
  public LogicalPlanner(Catalog catalog, String schemaName, List<String> visible) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.schemaName = requireNonNull(schemaName, "schemaName is null");
    this.visible = List.copyOf(visible);
  }

  /**
   * Plans {@code parsed}, the query {@code sql} as parsed (its text names unnamed columns).
   *
   * @param text how each select item was written, for unnamed columns; null entries use Calcite's
   */
  public Query plan(String sql, SqlNode parsed, List<String> text) {
    JavaTypeFactoryImpl types = new JavaTypeFactoryImpl(QuiverTypeSystem.INSTANCE);
    CalciteSchema root = CatalogSchema.of(catalog, schemaName, visible);
    Properties properties = new Properties();
    properties.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
    CalciteCatalogReader reader =
        new CalciteCatalogReader(
            root, List.of(), types, new CalciteConnectionConfigImpl(properties));
    SqlValidator validator =
        new Interruptible.Validator(
            QuiverOperators.TABLE,
            reader,
            types,
            SqlValidator.Config.DEFAULT
                .withConformance(SqlConformanceEnum.LENIENT)
                .withIdentifierExpansion(true)
                .withDefaultNullCollation(NullCollation.LAST)
                .withTypeCoercionFactory(QuiverTypeCoercion::new));
    SqlNode validated;
    try {
      validated = validator.validate(QuiverOperators.rewrite(parsed));
    } catch (CalciteContextException e) {
      throw validationError(sql, e);
    }
    RelDataType rowType = validator.getValidatedNodeType(validated);
    RelOptCluster cluster =
        RelOptCluster.create(new HepPlanner(HepProgram.builder().build()), new RexBuilder(types));
    cluster.setMetadataQuerySupplier(
        () -> new RelMetadataQuery(new ProxyingMetadataHandlerProvider(JoinCardinality.PROVIDER)));
    SqlToRelConverter converter =
        new SqlToRelConverter(
            (type, query, schemaPath, viewPath) -> {
              throw new UnsupportedOperationException("views");
            },
            validator,
            reader,
            cluster,
            Interruptible.CONVERTLETS,
            SqlToRelConverter.config()
                .withTrimUnusedFields(false)
                .withExpand(false)
                .withInSubQueryThreshold(Integer.MAX_VALUE));
    Interruptible.check();
    RelRoot relRoot = converter.convertQuery(validated, false, true);
    Interruptible.check();
    List<String> names = new ArrayList<>();
    List<RelDataTypeField> fields = rowType.getFieldList();
    for (int i = 0; i < fields.size(); i++) {
      String written = text != null && text.size() == fields.size() ? text.get(i) : null;
      names.add(written != null ? written : fields.get(i).getName());
    }
    try {
      return QueryBuilder.build(sql, relRoot, names);
    } catch (QuiverException e) {
      if (e.code() != ErrorCode.UNIMPLEMENTED) {
        throw e;
      }
      // Not one table's chain: joins, set operations, subqueries.
    }
    RelBuilder builder = RelFactories.LOGICAL_BUILDER.create(cluster, reader);
    RelNode optimized = RelOptimizer.optimize(relRoot.rel, builder);
    RelNode visible = visibleColumns(relRoot, optimized, builder, names);
    RelLowering.Lowered lowered = RelLowering.lower(sql, visible, cluster.getRexBuilder());
    // A query whose conditions are always false reads nothing once simplified, but still names
    // its datasets: the caller must be allowed to read them, and its ticket names one.
    List<Dataset> datasets =
        lowered.datasets().isEmpty() ? RelLowering.datasets(relRoot.rel) : lowered.datasets();
    return new TreePlan(sql, lowered.plan(), datasets);
  }

  /**
   * {@code optimized} (the root's relational node) with only the root's visible columns, named
   * {@code names}: ORDER BY may have added columns that are not shown.
   */
  private static RelNode visibleColumns(
      RelRoot root, RelNode optimized, RelBuilder builder, List<String> names) {
    List<Integer> fields = root.fields.leftList();
    boolean identity = fields.size() == optimized.getRowType().getFieldCount();
    for (int i = 0; identity && i < fields.size(); i++) {
      identity = fields.get(i) == i;
    }
    if (identity && optimized.getRowType().getFieldNames().equals(names)) {
      return optimized;
    }
    builder.push(optimized);
    List<RexNode> projects = new ArrayList<>();
    for (int field : fields) {
      projects.add(builder.field(field));
    }
    return builder.project(projects, names, true).build();
  }

  /**
   * A validation error as a sentence about the user's SQL, with its position: an unknown column
   * lists the dataset's columns, an unknown table the datasets there are.
   */
  private QuiverException validationError(String sql, CalciteContextException e) {
    SqlIdentifier culprit = identifierAt(sql, e.getPosLine(), e.getPosColumn());
    String problem = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
    String at = " (line " + e.getPosLine() + ", column " + e.getPosColumn() + ")";
    if (culprit != null) {
      String name = culprit.names.get(culprit.names.size() - 1);
      var unknown = unknownColumn(sql, name, at);
      if (unknown != null) {
        return new QuiverException(ErrorCode.INVALID_ARGUMENT, unknown);
      }
    }
    Matcher table = UNKNOWN_OBJECT.matcher(problem == null ? "" : problem);
    if (table.matches()) {
      return new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Unknown dataset '"
              + table.group(1)
              + "'"
              + at
              + "; datasets are: "
              + String.join(", ", visible));
    }
    Matcher function = UNKNOWN_FUNCTION.matcher(problem == null ? "" : problem);
    if (function.matches()) {
      return new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Unknown function "
              + function.group(1)
              + at
              + ", or no form of it takes these arguments; docs/sql.md lists the functions");
    }
    return new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "SQL error at line " + e.getPosLine() + ", column " + e.getPosColumn() + ": " + problem);
  }

  private static final Pattern UNKNOWN_OBJECT = Pattern.compile("Object '([^']*)' not found.*");
  private static final Pattern UNKNOWN_FUNCTION =
      Pattern.compile("No match found for function signature (.*)");

  /**
   * "Unknown column ..." when no dataset the query reads has a column {@code name}.
   *
   * @param at where in the query it is written
   */
  private String unknownColumn(String sql, String name, String at) {
    for (String datasetName : QuiverSql.datasets(QuiverSql.parse(sql))) {
      var dataset = catalog.find(datasetName);
      if (dataset.isEmpty()) {
        continue;
      }
      List<Field> columns = dataset.get().schema().getFields();
      boolean known = columns.stream().anyMatch(f -> f.getName().equalsIgnoreCase(name));
      if (!known) {
        return "Unknown column '"
            + name
            + "' in dataset '"
            + datasetName
            + "'"
            + at
            + "; columns are: "
            + String.join(", ", columns.stream().map(Field::getName).toList());
      }
    }
    return null;
  }

  /** The identifier written at a position of {@code sql}, if one is. */
  private static SqlIdentifier identifierAt(String sql, int line, int column) {
    SqlIdentifier[] found = new SqlIdentifier[1];
    QuiverSql.parse(sql)
        .accept(
            new org.apache.calcite.sql.util.SqlShuttle() {
              @Override
              public SqlNode visit(SqlIdentifier identifier) {
                SqlParserPos pos = identifier.getParserPosition();
                if (found[0] == null && pos.getLineNum() == line && pos.getColumnNum() == column) {
                  found[0] = identifier;
                }
                return identifier;
              }
            });
    return found[0];
  }
}
