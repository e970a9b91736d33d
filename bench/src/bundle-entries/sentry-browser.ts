// Sentry's browser SDK as a user starts it: init and one message.
import * as Sentry from "@sentry/browser";

Sentry.init({ dsn: "https://public@o0.ingest.sentry.io/0" });
Sentry.captureMessage("tool_call search");
