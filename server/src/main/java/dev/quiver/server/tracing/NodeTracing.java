package dev.quiver.server.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/**
 * A node's tracing: when an OTLP endpoint is configured, every Flight call the node answers is a
 * server span (parented by the {@code traceparent} header a caller sent, so a query's calls from
 * the coordinator to the fragments and from fragments to the owners' exchanges are one trace), and
 * every call it makes to a peer carries its current span. Off, it registers nothing and costs
 * nothing.
 *
 * <p>Thread-safe. {@link #close} flushes the spans still buffered.
 */
public final class NodeTracing implements AutoCloseable {
  /** The middleware holding each call's span, to make it current where the call is answered. */
  public static final FlightServerMiddleware.Key<CallSpan> CALL_SPAN =
      FlightServerMiddleware.Key.of("quiver-tracing");

  private static final NodeTracing OFF = new NodeTracing(null, null);
  private static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("rpc.method");

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private NodeTracing(OpenTelemetrySdk sdk, Tracer tracer) {
    this.sdk = sdk;
    this.tracer = tracer;
  }

  /** Tracing that is off. */
  public static NodeTracing off() {
    return OFF;
  }

  /**
   * Tracing exported to an OTLP/HTTP collector.
   *
   * @param endpoint the collector's base URL, e.g. {@code http://otel-collector:4318}
   * @param serviceName the {@code service.name} of every span
   * @param instance this node's address, the {@code service.instance.id}
   * @param exportDelay how long spans wait in the batch before they are sent
   */
  public static NodeTracing otlp(
      String endpoint, String serviceName, String instance, Duration exportDelay) {
    String traces =
        endpoint.endsWith("/v1/traces") ? endpoint : endpoint.replaceAll("/$", "") + "/v1/traces";
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"), serviceName,
                        AttributeKey.stringKey("service.instance.id"), instance)));
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(
                BatchSpanProcessor.builder(
                        OtlpHttpSpanExporter.builder().setEndpoint(traces).build())
                    .setScheduleDelay(exportDelay)
                    .build())
            .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new NodeTracing(sdk, sdk.getTracer("dev.quiver.server"));
  }

  public boolean enabled() {
    return sdk != null;
  }

  /** The server middleware that opens a span per call; only register it when enabled. */
  public FlightServerMiddleware.Factory<CallSpan> serverMiddleware() {
    return (CallInfo info, CallHeaders headers, RequestContext request) -> {
      if (tracer == null) {
        return new CallSpan(Span.getInvalid());
      }
      Context parent = PROPAGATOR.extract(Context.root(), headers, HEADERS);
      Span span =
          tracer
              .spanBuilder("Flight " + info.method().name())
              .setParent(parent)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute(METHOD, info.method().name())
              .startSpan();
      return new CallSpan(span);
    };
  }

  /** The client middleware that sends the current span to the peer; only add it when enabled. */
  public FlightClientMiddleware.Factory clientMiddleware() {
    return info ->
        new FlightClientMiddleware() {
          @Override
          public void onBeforeSendingHeaders(CallHeaders outgoing) {
            PROPAGATOR.inject(Context.current(), outgoing, CallHeaders::insert);
          }

          @Override
          public void onHeadersReceived(CallHeaders incoming) {}

          @Override
          public void onCallCompleted(CallStatus status) {}
        };
  }

  /**
   * Runs {@code work} with the call's span current, so that the calls it makes to peers (on this
   * thread, or on executors wrapped with {@link Context#taskWrapping}) continue the trace.
   */
  public static <T> T within(CallContext context, Supplier<T> work) {
    CallSpan call = context.getMiddleware(CALL_SPAN);
    if (call == null) {
      return work.get();
    }
    try (Scope scope = call.span.makeCurrent()) {
      return work.get();
    }
  }

  /** Adds what a call is about (the action's type, the dataset) to the current span. */
  public static void describe(String attribute, String value) {
    Span.current().setAttribute(attribute, value);
  }

  @Override
  public void close() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
      sdk.close();
    }
  }

  /** One call's span, ended when the call completes. */
  public static final class CallSpan implements FlightServerMiddleware {
    private final Span span;

    CallSpan(Span span) {
      this.span = span;
    }

    @Override
    public void onBeforeSendingHeaders(CallHeaders outgoing) {}

    @Override
    public void onCallCompleted(CallStatus status) {
      span.setAttribute("rpc.flight.status", status.code().name());
      if (status.code() != org.apache.arrow.flight.FlightStatusCode.OK) {
        span.setStatus(StatusCode.ERROR, status.description());
      }
      span.end();
    }

    @Override
    public void onCallErrored(Throwable err) {
      span.recordException(err);
    }
  }

  private static final TextMapGetter<CallHeaders> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(CallHeaders carrier) {
          return List.copyOf(carrier.keys());
        }

        @Override
        public String get(CallHeaders carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };
}
