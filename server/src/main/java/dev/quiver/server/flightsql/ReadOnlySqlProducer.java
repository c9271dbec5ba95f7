package dev.quiver.server.flightsql;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.BasicFlightSqlProducer;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementUpdate;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementUpdate;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What Arrow's {@link BasicFlightSqlProducer} gives, made read-only: its metadata FlightInfos (one
 * endpoint whose ticket is the command itself, read back from this node), and updates, bulk
 * ingestion, Substrait and transactions refused as UNIMPLEMENTED with a message saying why, where
 * Arrow's default says only "Not implemented".
 */
abstract class ReadOnlySqlProducer extends BasicFlightSqlProducer {
  @Override
  protected <T extends Message> List<FlightEndpoint> determineEndpoints(
      T request, FlightDescriptor descriptor, Schema schema) {
    return List.of(new FlightEndpoint(new Ticket(Any.pack(request).toByteArray())));
  }

  @Override
  public Runnable acceptPutStatement(
      CommandStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    return readOnly(ack);
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      CommandPreparedStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    return readOnly(ack);
  }

  @Override
  public Runnable acceptPutStatementBulkIngest(
      FlightSql.CommandStatementIngest command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    return readOnly(ack);
  }

  @Override
  public Runnable acceptPutSubstraitPlan(
      FlightSql.CommandStatementSubstraitPlan command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    return () -> ack.onError(substrait());
  }

  @Override
  public FlightInfo getFlightInfoSubstraitPlan(
      FlightSql.CommandStatementSubstraitPlan command,
      CallContext context,
      FlightDescriptor descriptor) {
    throw substrait();
  }

  @Override
  public SchemaResult getSchemaSubstraitPlan(
      FlightSql.CommandStatementSubstraitPlan command,
      CallContext context,
      FlightDescriptor descriptor) {
    throw substrait();
  }

  @Override
  public void createPreparedSubstraitPlan(
      FlightSql.ActionCreatePreparedSubstraitPlanRequest request,
      CallContext context,
      StreamListener<FlightSql.ActionCreatePreparedStatementResult> listener) {
    listener.onError(substrait());
  }

  @Override
  public void beginTransaction(
      FlightSql.ActionBeginTransactionRequest request,
      CallContext context,
      StreamListener<FlightSql.ActionBeginTransactionResult> listener) {
    listener.onError(noTransactions());
  }

  @Override
  public void endTransaction(
      FlightSql.ActionEndTransactionRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    listener.onError(noTransactions());
  }

  @Override
  public void beginSavepoint(
      FlightSql.ActionBeginSavepointRequest request,
      CallContext context,
      StreamListener<FlightSql.ActionBeginSavepointResult> listener) {
    listener.onError(noTransactions());
  }

  @Override
  public void endSavepoint(
      FlightSql.ActionEndSavepointRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    listener.onError(noTransactions());
  }

  private static Runnable readOnly(StreamListener<PutResult> ack) {
    return () ->
        ack.onError(
            CallStatus.UNIMPLEMENTED
                .withDescription(
                    "Quiver is read-only: updates, inserts and bulk ingestion are not supported")
                .toRuntimeException());
  }

  private static RuntimeException substrait() {
    return CallStatus.UNIMPLEMENTED
        .withDescription("Substrait plans are not supported; send SQL text")
        .toRuntimeException();
  }

  private static RuntimeException noTransactions() {
    return CallStatus.UNIMPLEMENTED
        .withDescription("Quiver is read-only and has no transactions or savepoints")
        .toRuntimeException();
  }
}
