/**
 * A lean XMPP client connection (RFC 6120/6121) for driving many users from one process: TCP
 * without TLS (loopback), SASL PLAIN (RFC 4616), resource binding, initial presence, presence
 * changes, message stanzas with XEP-0184 receipt requests and receipts. The stream is read by
 * saxes (one parser per stream; a new one after the SASL restart), and only what a live run
 * counts is kept of each stanza: its name, type, from, id, the send timestamp the driver puts in
 * (`<t xmlns='urn:impp-sim:live'>ms</t>`), and a receipt's id or a receipt request.
 *
 * Log-in ends with a roster get sent after the initial presence: its result comes back after the
 * server has handled the presence (one stream is handled in order), so from then on every change
 * a contact sends is broadcast to this session. That moment is `availableAt`.
 */
import { createConnection, type Socket } from 'node:net';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

export const LIVE_NS = 'urn:impp-sim:live';
const STREAM_NS = 'http://etherx.jabber.org/streams';

/** What the connection hands the driver for every stanza it receives once online. */
export interface StanzaSink {
  /** a presence from another user (type null = available) */
  presence(c: XmppConnection, fromBare: string, type: string | null, sentAt: number): void;
  /** a message: a chat with its id, a receipt (receiptFor set), or an error bounce (type 'error') */
  message(c: XmppConnection, fromBare: string, type: string | null, id: string | null, sentAt: number, receiptFor: string | null, wantsReceipt: boolean): void;
  /** the stream closed or failed (after being online or during log-in) */
  closed(c: XmppConnection, error: string | null): void;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  domain: string;
  user: string;
  password: string;
  resource?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One stanza being read: reset at every depth-1 open tag, no allocation beyond the parser's. */
class StanzaScratch {
  name = '';
  type: string | null = null;
  from: string | null = null;
  id: string | null = null;
  sentAt = NaN;
  receiptFor: string | null = null;
  wantsReceipt = false;
  inT = false;
  tText = '';
  mechanisms = '';
  inMechanism = false;
  bind = false;
  reset(tag: SaxesTagPlain): void {
    const a = tag.attributes as Record<string, string>;
    this.name = tag.name;
    this.type = a.type ?? null;
    this.from = a.from ?? null;
    this.id = a.id ?? null;
    this.sentAt = NaN;
    this.receiptFor = null;
    this.wantsReceipt = false;
    this.inT = false;
    this.tText = '';
    this.mechanisms = '';
    this.inMechanism = false;
    this.bind = false;
  }
}

type Phase = 'connecting' | 'features' | 'auth' | 'bind' | 'online-wait' | 'online' | 'closing' | 'closed';

export class XmppConnection {
  readonly jid: string;
  /** driver's index of this user */
  readonly index: number;
  phase: Phase = 'connecting';
  /** performance.now() when the log-in completed (NaN before) */
  availableAt = NaN;
  /** bytes written and read on this stream */
  bytesOut = 0;
  bytesIn = 0;
  private sock: Socket | null = null;
  private parser!: SaxesParser;
  private depth = 0;
  private s = new StanzaScratch();
  private onLogin: ((err: string | null) => void) | null = null;
  private bound = '';

  constructor(private readonly o: ConnectionOptions, index: number, private readonly sink: StanzaSink) {
    this.jid = `${o.user}@${o.domain}`;
    this.index = index;
  }

  /** Connects and logs in; resolves when available (or rejects with the reason). */
  login(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onLogin = (err) => (err === null ? resolve() : reject(new Error(`${this.jid}: ${err}`)));
      this.phase = 'connecting';
      const sock = createConnection({ host: this.o.host, port: this.o.port });
      this.sock = sock;
      sock.setNoDelay(true);
      sock.setEncoding('utf8');
      sock.on('connect', () => this.openStream('features'));
      sock.on('data', (d: string) => {
        this.bytesIn += d.length;
        try {
          this.parser.write(d);
        } catch (e) {
          this.fail(`unreadable stream: ${(e as Error).message}`);
        }
      });
      sock.on('error', (e) => this.fail(e.message));
      sock.on('close', () => this.fail(null));
    });
  }

  private openStream(next: Phase): void {
    this.parser = new SaxesParser({ xmlns: false });
    this.depth = 0;
    this.parser.on('opentag', (t) => this.open(t as SaxesTagPlain));
    this.parser.on('closetag', () => this.close());
    this.parser.on('text', (t) => this.text(t));
    this.parser.on('error', (e) => this.fail(`unreadable stream: ${e.message}`));
    this.phase = next;
    this.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${STREAM_NS}' to='${esc(this.o.domain)}' version='1.0'>`);
  }

  private write(x: string): void {
    if (this.sock === null || this.sock.destroyed) return;
    this.bytesOut += x.length;
    this.sock.write(x);
  }

  private open(t: SaxesTagPlain): void {
    const d = ++this.depth;
    if (d === 1) return; // <stream:stream>
    const s = this.s;
    if (d === 2) {
      s.reset(t);
      return;
    }
    const n = t.name;
    if (n === 't' && (t.attributes as Record<string, string>).xmlns === LIVE_NS) s.inT = true;
    else if (n === 'received') s.receiptFor = (t.attributes as Record<string, string>).id ?? '';
    else if (n === 'request') s.wantsReceipt = true;
    else if (n === 'mechanism') s.inMechanism = true;
    else if (n === 'bind') s.bind = true;
  }

  private text(x: string): void {
    const s = this.s;
    if (s.inT) s.tText += x;
    else if (s.inMechanism) s.mechanisms += x + ' ';
  }

  private close(): void {
    const d = this.depth--;
    const s = this.s;
    if (d === 1) return this.fail(null); // </stream:stream>
    if (d > 2) {
      s.inT = false;
      s.inMechanism = false;
      return;
    }
    if (s.tText !== '') s.sentAt = Number(s.tText);
    this.stanza(s);
  }

  private stanza(s: StanzaScratch): void {
    switch (this.phase) {
      case 'features':
        if (s.name !== 'stream:features') return;
        if (!/\bPLAIN\b/.test(s.mechanisms)) return this.fail(`the server offers no SASL PLAIN (mechanisms: ${s.mechanisms.trim() || 'none'})`);
        this.phase = 'auth';
        this.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${this.o.user}\0${this.o.password}`).toString('base64')}</auth>`);
        return;
      case 'auth':
        if (s.name === 'success') return this.openStream('bind');
        return this.fail(`authentication refused (${s.name})`);
      case 'bind':
        if (s.name === 'stream:features') {
          if (!s.bind) return this.fail('the server offers no resource binding');
          this.write(`<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${esc(this.o.resource ?? 'live')}</resource></bind></iq>`);
        } else if (s.name === 'iq' && s.id === 'b') {
          if (s.type !== 'result') return this.fail('resource binding refused');
          this.phase = 'online-wait';
          this.write(`<presence/><iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>`);
        }
        return;
      case 'online-wait':
        if (s.name === 'iq' && s.id === 'r') {
          this.phase = 'online';
          this.availableAt = performance.now();
          const cb = this.onLogin;
          this.onLogin = null;
          cb?.(null);
        } else this.deliver(s); // probe answers before the roster result
        return;
      case 'online':
      case 'closing':
        this.deliver(s);
        return;
      default:
        return;
    }
  }

  private deliver(s: StanzaScratch): void {
    if (s.from === null) return;
    const slash = s.from.indexOf('/');
    const bare = slash < 0 ? s.from : s.from.slice(0, slash);
    if (s.name === 'presence') {
      if (bare === this.jid) return; // this user's own presence
      this.sink.presence(this, bare, s.type, s.sentAt);
    } else if (s.name === 'message') {
      this.sink.message(this, bare, s.type, s.id, s.sentAt, s.receiptFor, s.wantsReceipt);
    }
  }

  /** A presence change (an available presence with a show value, RFC 6121 4.7.2.1). */
  sendPresence(show: string, sentAt: number): void {
    this.write(`<presence><show>${show}</show><t xmlns='${LIVE_NS}'>${sentAt.toFixed(3)}</t></presence>`);
  }

  /** A chat message asking for a receipt (XEP-0184). */
  sendMessage(to: string, id: string, body: string, sentAt: number): void {
    this.write(`<message to='${esc(to)}' id='${id}' type='chat'><body>${body}</body><request xmlns='urn:xmpp:receipts'/><t xmlns='${LIVE_NS}'>${sentAt.toFixed(3)}</t></message>`);
  }

  /** The receipt for a received message, with the time it is sent. */
  sendReceipt(to: string, id: string, sentAt: number): void {
    this.write(`<message to='${esc(to)}'><received xmlns='urn:xmpp:receipts' id='${esc(id)}'/><t xmlns='${LIVE_NS}'>${sentAt.toFixed(3)}</t></message>`);
  }

  /**
   * Ends the session: an orderly log-out sends unavailable presence and closes the stream; a crash
   * drops the connection (the server then broadcasts unavailable itself).
   */
  logout(crash: boolean): Promise<void> {
    return new Promise((resolve) => {
      const sock = this.sock;
      if (sock === null || sock.destroyed || this.phase === 'closed') return resolve();
      this.phase = 'closing';
      sock.once('close', () => resolve());
      if (crash) sock.destroy();
      else {
        this.write(`<presence type='unavailable'/></stream:stream>`);
        sock.end();
        // a server that does not close its side is not waited for
        setTimeout(() => sock.destroy(), 2000).unref();
      }
    });
  }

  private fail(err: string | null): void {
    if (this.phase === 'closed') return;
    const wasLoggingIn = this.onLogin !== null;
    this.phase = 'closed';
    this.sock?.destroy();
    if (wasLoggingIn) {
      const cb = this.onLogin!;
      this.onLogin = null;
      cb(err ?? 'the server closed the stream during log-in');
    }
    this.sink.closed(this, err);
  }
}
