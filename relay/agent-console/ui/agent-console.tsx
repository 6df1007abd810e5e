/** @jsxImportSource preact */
/**
 * The agent console: open handoffs, live; one handoff's transcript, live;
 * a reply box and a close button. Plain forms and buttons, so it is usable
 * with the keyboard alone and reads well in a screen reader.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AgentApi, UnauthorizedError, type ConsoleHandoff, type ConsoleMessage } from './agent-api.ts';

const TOKEN_KEY = 'statechat-agent-token';
const NAME_KEY = 'statechat-agent-name';

function stored(key: string): string {
  try {
    return sessionStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function store(key: string, value: string): void {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // Private mode: the console still works for this page.
  }
}

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

function describe(handoff: ConsoleHandoff): string {
  return handoff.reason ?? 'A visitor';
}

function statusText(handoff: Pick<ConsoleHandoff, 'status' | 'agent'>): string {
  if (handoff.status === 'waiting') return 'waiting for a person';
  if (handoff.status === 'active') return `with ${handoff.agent ?? 'an agent'}`;
  return 'closed';
}

export function AgentConsole({ base }: { base: string }) {
  const [token, setToken] = useState(() => stored(TOKEN_KEY));
  const [signInError, setSignInError] = useState('');
  const api = useMemo(() => (token ? new AgentApi(base, token) : null), [base, token]);
  const signOut = (message = ''): void => {
    store(TOKEN_KEY, '');
    setToken('');
    setSignInError(message);
  };
  if (!api) {
    return (
      <div class="console">
        <header>
          <h1>Live handoffs</h1>
        </header>
        <SignIn
          error={signInError}
          onSignIn={(value) => {
            store(TOKEN_KEY, value);
            setSignInError('');
            setToken(value);
          }}
        />
      </div>
    );
  }
  return <Desk api={api} onUnauthorized={() => signOut('The agent token was not accepted. Enter it again.')} onSignOut={() => signOut()} />;
}

function SignIn({ error, onSignIn }: { error: string; onSignIn: (token: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      class="signin"
      aria-labelledby="signin-title"
      onSubmit={(event) => {
        event.preventDefault();
        const value = input.current?.value.trim() ?? '';
        if (value) onSignIn(value);
      }}
    >
      <h2 id="signin-title">Sign in</h2>
      <label>
        Agent token
        <input ref={input} type="password" name="token" autocomplete="current-password" required aria-describedby={error ? 'signin-error' : undefined} />
      </label>
      {error && (
        <p id="signin-error" class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="action">
        Sign in
      </button>
    </form>
  );
}

function Desk({ api, onUnauthorized, onSignOut }: { api: AgentApi; onUnauthorized: () => void; onSignOut: () => void }) {
  const [handoffs, setHandoffs] = useState<ConsoleHandoff[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const [problem, setProblem] = useState('');

  useEffect(() => {
    const controller = new AbortController();
    const refresh = (): void => {
      api.list().then(
        (list) => {
          if (controller.signal.aborted) return;
          setHandoffs(list);
          setLoaded(true);
          setProblem('');
        },
        (error: unknown) => {
          if (error instanceof UnauthorizedError) onUnauthorized();
          else if (!controller.signal.aborted) setProblem(error instanceof Error ? error.message : String(error));
        },
      );
    };
    refresh();
    api.follow('/v1/agent/stream', refresh, {
      signal: controller.signal,
      onState: (now) => {
        setConnected(now);
        // Back after a break: what changed meanwhile was not streamed.
        if (now) refresh();
      },
      onUnauthorized,
    });
    return () => controller.abort();
  }, [api]);

  const current = handoffs.find((handoff) => handoff.id === selected) ?? null;
  return (
    <div class="console">
      <header>
        <h1>Live handoffs</h1>
        <span class="connection" role="status">
          {connected ? 'Live' : 'Reconnecting…'}
        </span>
        <button type="button" class="action secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav aria-labelledby="open-title">
          <h2 id="open-title">Open handoffs ({handoffs.length})</h2>
          {problem && (
            <p class="error" role="alert">
              {problem}
            </p>
          )}
          {loaded && handoffs.length === 0 && <p class="hint">Nobody is waiting.</p>}
          <ul>
            {handoffs.map((handoff) => (
              <li key={handoff.id}>
                <button type="button" class="handoff" aria-current={handoff.id === selected ? 'true' : undefined} onClick={() => setSelected(handoff.id)}>
                  {describe(handoff)}
                  <small>
                    {handoff.queue ?? 'no queue'} · {statusText(handoff)} · {time.format(handoff.createdAt)}
                  </small>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main>{selected ? <Conversation key={selected} api={api} id={selected} summary={current} onUnauthorized={onUnauthorized} /> : <p class="hint">Choose a handoff to read it and reply.</p>}</main>
      </div>
    </div>
  );
}

function Conversation({ api, id, summary, onUnauthorized }: { api: AgentApi; id: string; summary: ConsoleHandoff | null; onUnauthorized: () => void }) {
  const [messages, setMessages] = useState<ConsoleMessage[]>([]);
  const [status, setStatus] = useState<Pick<ConsoleHandoff, 'status' | 'agent'>>({ status: summary?.status ?? 'waiting', agent: summary?.agent ?? null });
  const [name, setName] = useState(() => stored(NAME_KEY));
  const [draft, setDraft] = useState('');
  const [events, setEvents] = useState<string[]>(['handoff.closed']);
  const [closeWith, setCloseWith] = useState('handoff.closed');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const reply = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    // The whole handoff from its first event (the transcript), then live; a reconnect resumes after the last one.
    api.follow(
      `/v1/agent/handoffs/${encodeURIComponent(id)}/events`,
      (event) => {
        const data = JSON.parse(event.data) as { message?: ConsoleMessage; agent?: string };
        if (event.event === 'message' && data.message) setMessages((previous) => [...previous, data.message as ConsoleMessage]);
        else if (event.event === 'joined') setStatus({ status: 'active', agent: data.agent ?? null });
        else if (event.event === 'closed') setStatus((previous) => ({ ...previous, status: 'closed' }));
      },
      { signal: controller.signal, onUnauthorized },
    );
    reply.current?.focus();
    return () => controller.abort();
  }, [api, id]);

  useEffect(() => {
    if (summary) api.flowEvents(summary.flowId).then(setEvents, () => undefined);
  }, [api, summary?.flowId]);

  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [messages.length]);

  const closed = status.status === 'closed';
  const act = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setProblem('');
    try {
      await work();
    } catch (error) {
      if (error instanceof UnauthorizedError) onUnauthorized();
      else setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const send = (): void => {
    const text = draft.trim();
    if (!text || busy || closed) return;
    store(NAME_KEY, name.trim());
    void act(async () => {
      await api.say(id, text, name.trim());
      setDraft('');
      reply.current?.focus();
    });
  };

  return (
    <section aria-labelledby="conversation-title">
      <h2 id="conversation-title">{summary ? describe(summary) : 'Handoff'}</h2>
      <p class="hint">
        {summary?.queue ?? 'no queue'} · {statusText(status)} · flow {summary?.flowId ?? '—'}
      </p>
      <div ref={log} class="log" role="log" aria-live="polite" aria-label="Transcript" tabIndex={0}>
        {messages.map((message, index) => (
          <div key={index} class={`message ${message.role === 'agent' ? 'agent' : message.role === 'bot' ? 'bot' : 'bot visitor'}`}>
            <span class="who">
              {message.role === 'visitor' ? 'Visitor' : message.role === 'bot' ? 'Bot' : (message.agent ?? 'Agent')}
              <span class="sr-only">: </span>
            </span>
            <div class="bubble">{message.text}</div>
          </div>
        ))}
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {closed ? (
        <p class="hint" role="status">
          This handoff is closed.
        </p>
      ) : (
        <>
          <form
            aria-label="Reply"
            onSubmit={(event) => {
              event.preventDefault();
              send();
            }}
          >
            <label>
              Your name
              <input value={name} onInput={(event) => setName(event.currentTarget.value)} autocomplete="name" maxLength={80} />
            </label>
            <label class="grow">
              Reply
              <textarea
                ref={reply}
                value={draft}
                maxLength={2000}
                aria-describedby="reply-hint"
                onInput={(event) => setDraft(event.currentTarget.value)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' && !event.shiftKey) {
                    event.preventDefault();
                    send();
                  }
                }}
              />
            </label>
            <span id="reply-hint" class="sr-only">
              Enter sends, Shift+Enter adds a line.
            </span>
            <button type="submit" class="action" disabled={busy || draft.trim() === ''}>
              Send
            </button>
          </form>
          <form
            aria-label="Close the handoff"
            onSubmit={(event) => {
              event.preventDefault();
              void act(() => api.close(id, closeWith));
            }}
          >
            <label>
              Then the conversation
              <select value={closeWith} onChange={(event) => setCloseWith(event.currentTarget.value)}>
                {events.map((name) => (
                  <option key={name} value={name}>
                    {name === 'handoff.closed' ? 'ends politely (handoff.closed)' : `goes on with ${name}`}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="action secondary" disabled={busy}>
              Close handoff
            </button>
          </form>
        </>
      )}
    </section>
  );
}
