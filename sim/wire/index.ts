/**
 * sim/wire: codecs for the real IMPP wire formats, PIDF (RFC 3863, strict
 * and lenient decoding) and message/cpim (RFC 3862), plus format detection
 * for `impp-sim inspect` and encoding-based message sizes for the simulator.
 */
export { WireError, WIRE_ERROR_CATALOG, isWireError, type WireErrorCode, type WireErrorLocation } from './errors.js';
export { decodeMode, type DecodeFindings, type DecodeMode, type DecodeOptions, type WireViolation } from './findings.js';
export {
  PIDF_NS,
  decodePidf,
  decodePidfDocument,
  decodePidfXml,
  encodePidf,
  isPidfRoot,
  isValidQvalue,
  type ExtensionElement,
  type PidfBasic,
  type PidfContact,
  type PidfDecodeResult,
  type PidfDocument,
  type PidfNote,
  type PidfStatus,
  type PidfTuple,
} from './pidf.js';
export {
  CPIM_HEADERS_NS,
  buildCpimMessage,
  cpimHeaderUrn,
  decodeCpimHeaders,
  decodeCpimMessage,
  encodeCpimMessage,
  escapeCpim,
  unescapeCpim,
  viewCpimMessage,
  type CpimAddress,
  type CpimContent,
  type CpimDecodeOptions,
  type CpimHeader,
  type CpimMessage,
  type CpimMessageInput,
  type CpimMessageView,
  type CpimParam,
  type MimeHeader,
} from './cpim-message.js';
export { CPIM_ATTRIBUTES, cpimId, cpimIdValue, decodeCpimOperation, encodeCpimOperation, type CpimOperation, type CpimOperationName } from './cpim-operation.js';
export {
  INSPECT_MAX_BYTES,
  detectWireFormat,
  findInvalidUtf8,
  inspectFile,
  inspectText,
  type InspectOptions,
  type InspectResult,
  type WireFormat,
} from './inspect.js';
export {
  DEFAULT_NOTE_LENGTH,
  clearWireSizeCache,
  cpimMessageSize,
  pidfSize,
  representativeCpimMessage,
  representativePidf,
  sampleCpimMessage,
  samplePidf,
  wireSizeCacheSize,
  type CpimShape,
  type PidfShape,
  type SampleCpimInput,
  type SampleTuple,
} from './size.js';
export { SIM_EPOCH_MS, isAbsoluteUri, isLanguageTag, isRfc3339DateTime, simTimeToRfc3339 } from './syntax.js';
export {
  WATCHERINFO_NS,
  WATCHER_EVENTS,
  WATCHER_STATUSES,
  decodeWatcherinfo,
  decodeWatcherinfoXml,
  encodeWatcherinfo,
  isWatcherinfoRoot,
  type Watcher,
  type WatcherEvent,
  type WatcherList,
  type WatcherStatus,
  type WatcherinfoDocument,
} from './watcherinfo.js';
export { clearWatcherinfoSizeCache, representativeWatcherinfo, watcherinfoSize, type WatcherinfoShape } from './watcherinfo-size.js';
export { BRANCH_COOKIE, ID_WIDTH, fixedId, sipBranch, sipCallId, sipEtag, sipTag, watcherId } from './ids.js';
export {
  REASON_PHRASES,
  decodeSip,
  encodeSipMessage,
  encodeSipRequest,
  encodeSipResponse,
  looksLikeSip,
  sipHeader,
  summarizeSip,
  type SipHeader,
  type SipHeaderLine,
  type SipMessage,
  type SipMessageInput,
  type SipNameAddr,
  type SipRequestInput,
  type SipResponseInput,
  type SipStartLine,
  type SipSubscriptionState,
  type SipSummary,
  type SipTransport,
  type SipVia,
} from './sip.js';
export { clearSipSizeCache, representativeSip, sipMessageSize, sipShapeOf, type SipShape } from './sip-size.js';
export {
  MESSAGE_TYPES,
  PRESENCE_SHOWS,
  PRESENCE_TYPES,
  ROSTER_SUBSCRIPTIONS,
  XMPP_CLIENT_NS,
  XMPP_RECEIPTS_NS,
  XMPP_ROSTER_NS,
  XMPP_SERVER_NS,
  decodeXmpp,
  decodeXmppXml,
  encodeXmpp,
  isJid,
  isXmppRoot,
  type MessageType,
  type PresenceShow,
  type PresenceType,
  type RosterItem,
  type RosterSubscription,
  type XmppDecoded,
  type XmppIq,
  type XmppMessage,
  type XmppPresence,
  type XmppStanza,
  type XmppText,
} from './xmpp.js';
export { clearXmppSizeCache, representativeXmpp, xmppShapeOf, xmppStanzaSize, type XmppShape } from './xmpp-size.js';
export {
  XMPP_MAX_STANZA_CHARS,
  XMPP_STREAMS_NS,
  XMPP_STREAM_CLOSE,
  XmppStreamReader,
  encodeXmppStreamHeader,
  type XmppStreamHeaderInput,
  type XmppStreamEvent,
  type XmppStreamHeader,
  type XmppStreamOptions,
} from './xmpp-stream.js';
export { XMPP_SASL_NS, XMPP_TLS_NS, isStreamRestart, readXmppTranscript, type XmppTranscript, type XmppTranscriptEntry } from './xmpp-transcript.js';
