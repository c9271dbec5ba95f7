package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.Comparison;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.InList;
import dev.quiver.parquet.predicate.IsNull;
import dev.quiver.parquet.predicate.Like;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.physical.Aggregate;
import dev.quiver.server.physical.Exchange;
import dev.quiver.server.physical.Filter;
import dev.quiver.server.physical.HashJoin;
import dev.quiver.server.physical.Limit;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Project;
import dev.quiver.server.physical.RemoteSource;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.physical.Sort;
import dev.quiver.server.physical.Union;
import dev.quiver.server.physical.Values;
import dev.quiver.server.physical.Window;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A planned query, or a physical plan (a stage's), as JSON, versioned: the one codec of plans, so
 * that a coordinator ships its plan to the nodes and they run it as it is instead of planning the
 * SQL text again. Datasets travel by name and are resolved against the receiving node's catalog;
 * constants keep their Java types (only numbers, strings and booleans are accepted back).
 */
public final class PlanCodec {
  /** The plan format this node writes and reads. */
  public static final int VERSION = 1;

  private final ObjectMapper json;

  /**
   * @param catalog resolves the datasets named in decoded plans
   */
  public PlanCodec(Catalog catalog) {
    requireNonNull(catalog, "catalog is null");
    SimpleModule datasets = new SimpleModule("datasets");
    datasets.addSerializer(Dataset.class, new DatasetName());
    datasets.addDeserializer(Dataset.class, new DatasetByName(catalog));
    this.json =
        new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(datasets)
            .addMixIn(Query.class, QueryKinds.class)
            .addMixIn(PhysicalPlan.class, OperatorKinds.class)
            .addMixIn(Predicate.class, PredicateKinds.class)
            .addMixIn(Expression.class, ExpressionKinds.class)
            // Derived getters (Like.isPrefixPattern) are written but not read back.
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .activateDefaultTyping(
                BasicPolymorphicTypeValidator.builder()
                    .allowIfSubType(Long.class)
                    .allowIfSubType(Integer.class)
                    .allowIfSubType(Double.class)
                    .allowIfSubType(Boolean.class)
                    .allowIfSubType(String.class)
                    .allowIfSubType(BigDecimal.class)
                    .allowIfSubType(BigInteger.class)
                    .allowIfSubType(Character.class)
                    .build(),
                ObjectMapper.DefaultTyping.JAVA_LANG_OBJECT);
  }

  /** One plan, with its format version. */
  record Envelope(int version, Query plan) implements Versioned {}

  /** One physical plan (a stage's, say), with its format version. */
  record OperatorsEnvelope(int version, PhysicalPlan operators) implements Versioned {}

  /** A physical plan as versioned JSON: a stage as it travels to the node that runs it. */
  public String encode(PhysicalPlan plan) {
    try {
      return json.writeValueAsString(new OperatorsEnvelope(VERSION, plan));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode the physical plan " + plan, e);
    }
  }

  /**
   * Reads a physical plan written by {@link #encode(PhysicalPlan)}.
   *
   * @throws QuiverException INVALID_ARGUMENT for a plan of another version or shape, NOT_FOUND for
   *     a dataset this node does not serve
   */
  public PhysicalPlan decodeOperators(String encoded) {
    if (encoded == null) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "The request carries no stage plan");
    }
    return read(encoded, OperatorsEnvelope.class, "stage plan").operators();
  }

  public String encode(Query plan) {
    try {
      return json.writeValueAsString(new Envelope(VERSION, plan));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode the plan of " + plan.sql(), e);
    }
  }

  /**
   * Reads a plan written by {@link #encode}.
   *
   * @throws QuiverException INVALID_ARGUMENT for a plan of another version or shape, NOT_FOUND for
   *     a dataset this node does not serve
   */
  public Query decode(String encoded) {
    if (encoded == null) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT, "The request carries no plan; nodes run the coordinator's");
    }
    return read(encoded, Envelope.class, "plan").plan();
  }

  /** What every envelope carries: the format it was written in. */
  private interface Versioned {
    int version();
  }

  /**
   * Reads an envelope of {@code kind}, checking its version.
   *
   * @param what what the envelope holds, for messages ("plan", "stage plan")
   */
  private <E extends Versioned> E read(String encoded, Class<E> kind, String what) {
    E envelope;
    try {
      envelope = json.readValue(encoded, kind);
    } catch (QuiverException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      if (e.getCause() instanceof QuiverException quiver) {
        throw quiver;
      }
      String malformed = "Malformed " + what + ": " + e.getMessage();
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, malformed, e);
    }
    if (envelope.version() != VERSION) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Unsupported plan version "
              + envelope.version()
              + "; this node reads version "
              + VERSION);
    }
    return envelope;
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = QueryPlan.class, name = "scan"),
    @JsonSubTypes.Type(value = AggregatePlan.class, name = "aggregate")
  })
  private interface QueryKinds {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "operator")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Scan.class, name = "scan"),
    @JsonSubTypes.Type(value = Filter.class, name = "filter"),
    @JsonSubTypes.Type(value = Project.class, name = "project"),
    @JsonSubTypes.Type(value = Aggregate.class, name = "aggregate"),
    @JsonSubTypes.Type(value = Sort.class, name = "sort"),
    @JsonSubTypes.Type(value = Limit.class, name = "limit"),
    @JsonSubTypes.Type(value = Exchange.class, name = "exchange"),
    @JsonSubTypes.Type(value = HashJoin.class, name = "hashJoin"),
    @JsonSubTypes.Type(value = Union.class, name = "union"),
    @JsonSubTypes.Type(value = Values.class, name = "values"),
    @JsonSubTypes.Type(value = Window.class, name = "window"),
    @JsonSubTypes.Type(value = RemoteSource.class, name = "remoteSource")
  })
  private interface OperatorKinds {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "predicate")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = And.class, name = "and"),
    @JsonSubTypes.Type(value = Or.class, name = "or"),
    @JsonSubTypes.Type(value = Not.class, name = "not"),
    @JsonSubTypes.Type(value = Comparison.class, name = "compare"),
    @JsonSubTypes.Type(value = InList.class, name = "in"),
    @JsonSubTypes.Type(value = IsNull.class, name = "isNull"),
    @JsonSubTypes.Type(value = Like.class, name = "like"),
    @JsonSubTypes.Type(value = Constant.class, name = "constant")
  })
  private interface PredicateKinds {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "expression")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Expression.ColumnRef.class, name = "column"),
    @JsonSubTypes.Type(value = Expression.Literal.class, name = "literal"),
    @JsonSubTypes.Type(value = Expression.Call.class, name = "call"),
    @JsonSubTypes.Type(value = Expression.InList.class, name = "in")
  })
  private interface ExpressionKinds {}

  private static final class DatasetName extends JsonSerializer<Dataset> {
    @Override
    public void serialize(Dataset dataset, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      out.writeString(dataset.name());
    }
  }

  private static final class DatasetByName extends JsonDeserializer<Dataset> {
    private final Catalog catalog;

    DatasetByName(Catalog catalog) {
      this.catalog = catalog;
    }

    @Override
    public Dataset deserialize(JsonParser in, DeserializationContext context) throws IOException {
      String name = in.getValueAsString();
      return catalog
          .find(name)
          .orElseThrow(
              () ->
                  new QuiverException(
                      ErrorCode.NOT_FOUND, "Unknown dataset '" + name + "' on this node"));
    }
  }
}
