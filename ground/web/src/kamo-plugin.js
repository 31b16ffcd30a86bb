/*
 * kamo plugin for Open MCT (plain JavaScript, no build step).
 *
 * - object tree: a "kamo" root with the alarm list, the space-weather panel, the
 *   contacts timeline, the commanding form, and one folder per packet type holding
 *   its parameters, all from GET /api/dictionary;
 * - telemetry: historical provider on GET /api/history/{parameter} (follows the
 *   pages), realtime provider on the server-sent events of GET /api/realtime;
 * - limits: an Open MCT limit evaluator from the dictionary's yellow/red limits,
 *   so plots draw limit lines and tables colour out-of-limit values;
 * - views for the alarm list, space weather, contacts and commanding (plain DOM); the
 *   commanding form keeps the bearer token in memory only (never storage or the URL).
 *
 * Usage: openmct.install(KamoPlugin({ dictionary })) with the JSON of /api/dictionary.
 */
(function (global) {
  'use strict';

  const NS = 'kamo';
  const ROOT_KEY = 'spacecraft';
  const MAX_PAGES = 20;

  // ------------------------------------------------------------------ helpers

  function ident(key) {
    return { namespace: NS, key: key };
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === 'class') {
        node.className = v;
      } else if (k === 'text') {
        node.textContent = v;
      } else {
        node.setAttribute(k, v);
      }
    });
    (children || []).forEach((c) => node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c));
    return node;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) {
      return '–';
    }
    if (typeof v !== 'number') {
      return String(v);
    }
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) {
      return v.toExponential(digits === undefined ? 3 : digits);
    }
    return Number(v.toPrecision(digits === undefined ? 6 : digits)).toString();
  }

  function isoShort(ms) {
    return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z');
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await r.json();
    if (!r.ok) {
      throw new Error(body.error || `HTTP ${r.status}`);
    }
    return body;
  }

  /** Level of a value against dictionary limits: 'red', 'yellow' or 'nominal' (+ side). */
  function classify(value, limits) {
    if (!limits || value === null || value === undefined || Number.isNaN(value)) {
      return { level: 'nominal' };
    }
    const L = limits;
    if (L.red_low !== undefined && value < L.red_low) {
      return { level: 'red', side: 'low', limit: L.red_low };
    }
    if (L.red_high !== undefined && value > L.red_high) {
      return { level: 'red', side: 'high', limit: L.red_high };
    }
    if (L.yellow_low !== undefined && value < L.yellow_low) {
      return { level: 'yellow', side: 'low', limit: L.yellow_low };
    }
    if (L.yellow_high !== undefined && value > L.yellow_high) {
      return { level: 'yellow', side: 'high', limit: L.yellow_high };
    }
    return { level: 'nominal' };
  }

  // ------------------------------------------------------------------ realtime

  /** One EventSource for the page; callbacks per parameter key. */
  class RealtimeFeed {
    constructor() {
      this.listeners = new Map();
      this.source = null;
      this.stats = { events: 0, values: 0, last: null, connected: false };
      global.kamoRealtime = this.stats;
    }

    ensureOpen() {
      if (this.source) {
        return;
      }
      this.source = new EventSource('/api/realtime');
      this.source.onopen = () => {
        this.stats.connected = true;
      };
      this.source.onerror = () => {
        this.stats.connected = false;
      };
      this.source.onmessage = (msg) => this.dispatch(JSON.parse(msg.data));
    }

    dispatch(ev) {
      this.stats.events += 1;
      const times = ev.time_ms;
      Object.entries(ev.values).forEach(([key, values]) => {
        const set = this.listeners.get(key);
        if (!set || set.size === 0) {
          return;
        }
        for (let i = 0; i < times.length; i++) {
          const datum = { id: key, utc: times[i], value: values[i] };
          set.forEach((cb) => cb(datum));
          this.stats.values += 1;
        }
      });
      const keys = Object.keys(ev.values);
      this.stats.last = {
        packet: ev.packet,
        time_ms: times[times.length - 1],
        values: Object.fromEntries(keys.map((k) => [k, ev.values[k][times.length - 1]])),
        received: Date.now()
      };
    }

    subscribe(key, callback) {
      this.ensureOpen();
      if (!this.listeners.has(key)) {
        this.listeners.set(key, new Set());
      }
      this.listeners.get(key).add(callback);
      return () => this.listeners.get(key).delete(callback);
    }
  }

  // ------------------------------------------------------------------ the plugin

  function KamoPlugin(options) {
    const dictionary = options.dictionary;
    const params = new Map();
    dictionary.packets.forEach((p) => p.parameters.forEach((par) => params.set(par.key, par)));
    const feed = new RealtimeFeed();
    global.kamoFeed = feed;
    const sent = []; // commands sent from this page: in memory, gone on reload

    function telemetryObject(par) {
      const range = {
        key: 'value',
        name: par.name,
        units: par.units || undefined,
        format: par.enumeration.length ? 'enum' : 'kamo.number',
        hints: { range: 1 }
      };
      if (par.enumeration.length) {
        range.enumerations = par.enumeration;
      }
      if (par.limits) {
        const lo = par.limits.red_low !== undefined ? par.limits.red_low : par.limits.yellow_low;
        const hi = par.limits.red_high !== undefined ? par.limits.red_high : par.limits.yellow_high;
        if (lo !== undefined) {
          range.min = lo;
        }
        if (hi !== undefined) {
          range.max = hi;
        }
      }
      return {
        identifier: ident(par.key),
        name: par.name,
        type: 'kamo.telemetry',
        location: `${NS}:packet.${par.packet}`,
        notes: par.description,
        kamo: par,
        telemetry: {
          values: [
            { key: 'utc', source: 'utc', name: 'Time (UTC)', format: 'utc', hints: { domain: 1 } },
            range
          ]
        }
      };
    }

    function buildObjects() {
      const objects = {};
      const rootChildren = [ident('alarms'), ident('spaceweather'), ident('contacts'), ident('commanding')];
      objects.alarms = {
        identifier: ident('alarms'),
        name: 'Alarms',
        type: 'kamo.alarms',
        location: `${NS}:${ROOT_KEY}`
      };
      objects.spaceweather = {
        identifier: ident('spaceweather'),
        name: 'Space weather',
        type: 'kamo.spaceweather',
        location: `${NS}:${ROOT_KEY}`
      };
      objects.contacts = {
        identifier: ident('contacts'),
        name: 'Station contacts',
        type: 'kamo.contacts',
        location: `${NS}:${ROOT_KEY}`
      };
      objects.commanding = {
        identifier: ident('commanding'),
        name: 'Commanding',
        type: 'kamo.commanding',
        location: `${NS}:${ROOT_KEY}`
      };
      dictionary.packets.forEach((p) => {
        const key = `packet.${p.name}`;
        rootChildren.push(ident(key));
        objects[key] = {
          identifier: ident(key),
          name: `${p.name} (APID ${p.apid})`,
          type: 'folder',
          location: `${NS}:${ROOT_KEY}`,
          notes: p.description,
          composition: p.parameters.map((par) => ident(par.key))
        };
        p.parameters.forEach((par) => {
          objects[par.key] = telemetryObject(par);
        });
      });
      objects[ROOT_KEY] = {
        identifier: ident(ROOT_KEY),
        name: `${dictionary.name} spacecraft`,
        type: 'folder',
        location: 'ROOT',
        composition: rootChildren
      };
      return objects;
    }

    function limitEvaluator(par) {
      const names = {
        'red-high': { cssClass: 'is-limit--upr is-limit--red', name: 'Red High' },
        'red-low': { cssClass: 'is-limit--lwr is-limit--red', name: 'Red Low' },
        'yellow-high': { cssClass: 'is-limit--upr is-limit--yellow', name: 'Yellow High' },
        'yellow-low': { cssClass: 'is-limit--lwr is-limit--yellow', name: 'Yellow Low' }
      };
      return {
        evaluate(datum, valueMetadata) {
          if (valueMetadata && valueMetadata.key !== 'value') {
            return undefined;
          }
          const c = classify(datum.value, par.limits);
          if (c.level === 'nominal') {
            return undefined;
          }
          const L = par.limits;
          const spec = names[`${c.level}-${c.side}`];
          const bounds =
            c.level === 'red'
              ? c.side === 'high'
                ? { low: L.red_high, high: Number.POSITIVE_INFINITY }
                : { low: Number.NEGATIVE_INFINITY, high: L.red_low }
              : c.side === 'high'
                ? { low: L.yellow_high, high: L.red_high !== undefined ? L.red_high : Number.POSITIVE_INFINITY }
                : { low: L.red_low !== undefined ? L.red_low : Number.NEGATIVE_INFINITY, high: L.yellow_low };
          return Object.assign({}, spec, bounds);
        }
      };
    }

    function limitLines(par) {
      const L = par.limits;
      const out = {};
      if (L.yellow_low !== undefined || L.yellow_high !== undefined) {
        out.WARNING = {};
        if (L.yellow_low !== undefined) {
          out.WARNING.low = { color: 'yellow', value: L.yellow_low };
        }
        if (L.yellow_high !== undefined) {
          out.WARNING.high = { color: 'yellow', value: L.yellow_high };
        }
      }
      if (L.red_low !== undefined || L.red_high !== undefined) {
        out.CRITICAL = {};
        if (L.red_low !== undefined) {
          out.CRITICAL.low = { color: 'red', value: L.red_low };
        }
        if (L.red_high !== undefined) {
          out.CRITICAL.high = { color: 'red', value: L.red_high };
        }
      }
      return out;
    }

    async function request(domainObject, opts) {
      const key = domainObject.identifier.key;
      const q = new URLSearchParams();
      if (opts && opts.start !== undefined) {
        q.set('start', String(Math.floor(opts.start)));
      }
      if (opts && opts.end !== undefined) {
        q.set('end', String(Math.ceil(opts.end)));
      }
      if (opts && opts.strategy === 'latest') {
        q.set('latest', '1');
        q.set('limit', String(opts.size || 1));
      } else if (opts && opts.strategy === 'minmax' && opts.size) {
        // long spans come back as per-bucket minima and maxima: every excursion stays visible
        q.set('strategy', 'minmax');
        q.set('size', String(Math.max(2, Math.min(50000, 2 * opts.size))));
      }
      const out = [];
      let offset = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        if (offset) {
          q.set('offset', String(offset));
        }
        const body = await getJSON(`/api/history/${encodeURIComponent(key)}?${q}`);
        for (let i = 0; i < body.time_ms.length; i++) {
          out.push({ id: key, utc: body.time_ms[i], value: body.values[i] });
        }
        if (body.next_offset === null || body.next_offset === undefined) {
          break;
        }
        offset = body.next_offset;
      }
      return out;
    }

    return function install(openmct) {
      const objects = buildObjects();

      openmct.telemetry.addFormat({
        key: 'kamo.number',
        format: (v) => (typeof v === 'number' ? Number(v.toPrecision(10)).toString() : String(v)),
        parse: (text) => (typeof text === 'number' ? text : parseFloat(text)),
        validate: (text) => !Number.isNaN(parseFloat(text))
      });
      openmct.types.addType('kamo.telemetry', {
        name: 'kamo telemetry parameter',
        description: 'A telemetry parameter from the kamo XTCE dictionary',
        cssClass: 'icon-telemetry'
      });
      openmct.types.addType('kamo.alarms', {
        name: 'kamo alarm list',
        description: 'Parameters out of limits and recent alarm transitions',
        cssClass: 'icon-alert-triangle'
      });
      openmct.types.addType('kamo.spaceweather', {
        name: 'kamo space weather',
        description: 'NOAA G/S/R levels, solar wind and advisories',
        cssClass: 'icon-object'
      });
      openmct.types.addType('kamo.contacts', {
        name: 'kamo station contacts',
        description: 'Next ground-station passes',
        cssClass: 'icon-timeline'
      });
      openmct.types.addType('kamo.commanding', {
        name: 'kamo commanding',
        description: 'Send a dictionary telecommand (bearer token, signed and queued by the server)',
        cssClass: 'icon-command'
      });

      openmct.objects.addRoot(ident(ROOT_KEY), openmct.priority.HIGH);
      openmct.objects.addProvider(NS, {
        get(identifier) {
          const obj = objects[identifier.key];
          return obj ? Promise.resolve(obj) : Promise.reject(new Error(`no kamo object ${identifier.key}`));
        }
      });

      openmct.telemetry.addProvider({
        supportsRequest: (o) => o.type === 'kamo.telemetry',
        request: request,
        supportsSubscribe: (o) => o.type === 'kamo.telemetry',
        subscribe: (o, callback) => feed.subscribe(o.identifier.key, callback),
        supportsLimits: (o) => o.type === 'kamo.telemetry' && Boolean(o.kamo && o.kamo.limits),
        getLimitEvaluator: (o) => limitEvaluator(o.kamo),
        getLimits: (o) => ({ limits: () => Promise.resolve(limitLines(o.kamo)) })
      });

      const views = global.KamoViews;
      [
        ['kamo.alarms.view', 'Alarm list', 'kamo.alarms', (o) => new views.AlarmList(dictionary, feed, params)],
        ['kamo.spaceweather.view', 'Space weather', 'kamo.spaceweather', () => new views.SpaceWeather()],
        ['kamo.contacts.view', 'Contacts timeline', 'kamo.contacts', () => new views.Contacts(openmct)],
        ['kamo.commanding.view', 'Commanding', 'kamo.commanding', () => new views.Commanding(dictionary, sent)]
      ].forEach(([key, name, type, make]) => {
        openmct.objectViews.addProvider({
          key: key,
          name: name,
          cssClass: 'icon-object',
          canView: (o) => o.type === type,
          view: (o) => {
            const v = make(o);
            return { show: (element) => v.show(element), destroy: () => v.destroy() };
          },
          priority: () => openmct.priority.HIGH
        });
      });
    };
  }

  // ------------------------------------------------------------------ views

  /** Active alarms (current value out of limits, live from the stream) and recent transitions. */
  class AlarmList {
    constructor(dictionary, feed, params) {
      this.feed = feed;
      this.params = params;
      this.current = new Map();
      this.unsubs = [];
      this.timer = null;
    }

    show(element) {
      this.root = el('div', { class: 'kamo-panel kamo-alarms' });
      this.summary = el('div', { class: 'kamo-summary', text: 'loading alarms…' });
      this.activeBody = el('tbody');
      this.recentBody = el('tbody');
      const head = (cols) => el('thead', {}, [el('tr', {}, cols.map((c) => el('th', { text: c })))]);
      this.root.append(
        el('h2', { text: 'Alarms' }),
        this.summary,
        el('h3', { text: 'Out of limits now' }),
        el('table', { class: 'kamo-table kamo-active' }, [
          head(['Parameter', 'Packet', 'Level', 'Value', 'Limit', 'Time (UTC)']),
          this.activeBody
        ]),
        el('h3', { text: 'Recent transitions' }),
        el('table', { class: 'kamo-table kamo-recent' }, [
          head(['Time (UTC)', 'Parameter', 'Level', 'Value', 'Limit', 'Side']),
          this.recentBody
        ])
      );
      element.appendChild(this.root);
      this.params.forEach((par, key) => {
        if (par.limits) {
          this.unsubs.push(this.feed.subscribe(key, (d) => this.onValue(par, d)));
        }
      });
      this.refresh();
      this.timer = setInterval(() => this.refresh(), 2000);
    }

    onValue(par, datum) {
      const prev = this.current.get(par.key);
      if (prev && prev.time_ms > datum.utc) {
        return;
      }
      const c = classify(datum.value, par.limits);
      this.current.set(par.key, {
        parameter: par.key,
        packet: par.packet,
        units: par.units,
        value: datum.value,
        time_ms: datum.utc,
        level: c.level,
        limit: c.limit,
        side: c.side
      });
      this.renderActive();
    }

    async refresh() {
      try {
        const body = await getJSON('/api/alarms');
        body.current.forEach((row) => {
          const prev = this.current.get(row.parameter);
          if (!prev || prev.time_ms <= row.time_ms) {
            this.current.set(row.parameter, row);
          }
        });
        this.renderActive();
        this.renderRecent(body.alarms.slice(0, 50));
      } catch (err) {
        this.summary.textContent = `alarms unavailable: ${err.message}`;
      }
    }

    renderActive() {
      const rows = Array.from(this.current.values()).filter((r) => r.level !== 'nominal');
      rows.sort((a, b) => (a.level === b.level ? a.parameter.localeCompare(b.parameter) : a.level === 'red' ? -1 : 1));
      this.activeBody.replaceChildren(
        ...rows.map((r) =>
          el('tr', { class: `kamo-level-${r.level}`, 'data-parameter': r.parameter }, [
            el('td', { text: r.parameter }),
            el('td', { text: r.packet }),
            el('td', { class: 'kamo-level', text: r.level.toUpperCase() }),
            el('td', { class: 'kamo-value', text: `${fmt(r.value)} ${r.units || ''}`.trim() }),
            el('td', { text: `${r.side || ''} ${fmt(r.limit)}`.trim() }),
            el('td', { text: isoShort(r.time_ms) })
          ])
        )
      );
      const red = rows.filter((r) => r.level === 'red').length;
      this.summary.textContent = rows.length
        ? `${rows.length} parameter(s) out of limits (${red} red)`
        : 'all limited parameters nominal';
      this.summary.className = `kamo-summary ${red ? 'kamo-level-red' : rows.length ? 'kamo-level-yellow' : ''}`;
    }

    renderRecent(rows) {
      this.recentBody.replaceChildren(
        ...rows.map((r) =>
          el('tr', { class: `kamo-level-${r.level}` }, [
            el('td', { text: isoShort(r.time_ms) }),
            el('td', { text: r.parameter }),
            el('td', { class: 'kamo-level', text: r.level.toUpperCase() }),
            el('td', { text: fmt(r.value) }),
            el('td', { text: fmt(r.limit) }),
            el('td', { text: r.side })
          ])
        )
      );
    }

    destroy() {
      this.unsubs.forEach((u) => u());
      clearInterval(this.timer);
    }
  }

  /** NOAA G/S/R levels now and at the 24 h peak, solar wind, stale flags and advisories. */
  class SpaceWeather {
    show(element) {
      this.root = el('div', { class: 'kamo-panel kamo-spaceweather' }, [el('h2', { text: 'Space weather' })]);
      this.body = el('div', { text: 'loading…' });
      this.root.appendChild(this.body);
      element.appendChild(this.root);
      this.refresh();
      this.timer = setInterval(() => this.refresh(), 30000);
    }

    async refresh() {
      try {
        this.render(await getJSON('/api/spaceweather'));
      } catch (err) {
        this.body.textContent = `space weather unavailable: ${err.message}`;
      }
    }

    render(r) {
      const badge = (scale, level, peak) =>
        el('div', { class: `kamo-scale kamo-scale-${level}`, 'data-scale': scale }, [
          el('div', { class: 'kamo-scale-name', text: `${scale}${level}` }),
          el('div', { class: 'kamo-scale-peak', text: `24 h peak ${scale}${peak}` })
        ]);
      const rows = [
        ['Kp', `${fmt(r.kp.value, 3)} at ${r.kp.time || '–'}`, `peak ${fmt(r.kp.peak, 3)}`],
        ['Protons ≥10 MeV', `${fmt(r.protons.flux_pfu, 3)} pfu`, `peak ${fmt(r.protons.peak_pfu, 3)} pfu`],
        [
          'X-rays 0.1–0.8 nm',
          `${fmt(r.xray.flux_w_m2, 3)} W/m² ${r.xray.flare_class || ''}`,
          `peak ${r.xray.peak_flare_class || '–'}`
        ],
        [
          'Solar wind',
          `${fmt(r.solar_wind.speed_km_s, 4)} km/s, ${fmt(r.solar_wind.density_cm3, 3)} cm⁻³`,
          `Bt ${fmt(r.solar_wind.bt_nT, 3)} nT, Bz ${fmt(r.solar_wind.bz_nT, 3)} nT`
        ]
      ];
      const products = Object.entries(r.products || {}).map(([name, p]) =>
        el('tr', { class: p.stale ? 'kamo-stale' : '' }, [
          el('td', { text: name }),
          el('td', { text: p.stale ? 'STALE' : 'fresh' }),
          el('td', { text: p.age_s === null ? '–' : `${Math.round(p.age_s)} s` }),
          el('td', { text: p.reason || '' })
        ])
      );
      const advisories = (r.advisories || []).map((a) =>
        el('li', { class: 'kamo-advisory' }, [`${a.rule}: ${a.actions.join('; ')} (${a.start} → ~${a.expected_end}) — ${a.reason}`])
      );
      this.body.replaceChildren(
        el('div', { class: `kamo-summary ${r.stale ? 'kamo-stale' : ''}`, 'data-stale': String(r.stale) }, [
          r.stale ? `STALE data: oldest product ${fmt(r.age_s, 3)} s old` : 'all products fresh'
        ]),
        el('div', { class: 'kamo-scales' }, [
          badge('G', r.kp.g_scale, r.kp.peak_g_scale),
          badge('S', r.protons.s_scale, r.protons.peak_s_scale),
          badge('R', r.xray.r_scale, r.xray.peak_r_scale)
        ]),
        el('table', { class: 'kamo-table' }, [
          el(
            'tbody',
            {},
            rows.map((row) => el('tr', {}, row.map((c) => el('td', { text: c }))))
          )
        ]),
        el('h3', { text: 'Advisories' }),
        advisories.length ? el('ul', {}, advisories) : el('div', { text: 'none' }),
        el('h3', { text: 'Products' }),
        el('table', { class: 'kamo-table kamo-products' }, [el('tbody', {}, products)])
      );
    }

    destroy() {
      clearInterval(this.timer);
    }
  }

  /** Next station passes as bars on a time axis, one row per station, and a table. */
  class Contacts {
    constructor(openmct) {
      this.openmct = openmct;
    }

    show(element) {
      this.root = el('div', { class: 'kamo-panel kamo-contacts' }, [el('h2', { text: 'Station contacts' })]);
      this.body = el('div', { text: 'loading…' });
      this.root.appendChild(this.body);
      element.appendChild(this.root);
      this.refresh();
      this.timer = setInterval(() => this.refresh(), 60000);
    }

    async refresh() {
      try {
        // passes in the three days from the start of the time conductor's span
        const start = Math.floor(this.openmct.time.getBounds().start);
        const q = new URLSearchParams({ start: String(start), end: String(start + 3 * 86400000) });
        this.render(await getJSON(`/api/contacts?${q}`));
      } catch (err) {
        this.body.textContent = `contacts unavailable: ${err.message}`;
      }
    }

    render(r) {
      if (!r.available) {
        this.body.replaceChildren(el('div', { class: 'kamo-summary', text: r.reason }));
        return;
      }
      const t0 = Date.parse(r.start);
      const t1 = Date.parse(r.end);
      const stations = Array.from(new Set(r.contacts.map((c) => c.station)));
      const lanes = stations.map((st) => {
        const lane = el('div', { class: 'kamo-lane' }, [el('div', { class: 'kamo-lane-name', text: st })]);
        const track = el('div', { class: 'kamo-track' });
        r.contacts
          .filter((c) => c.station === st)
          .forEach((c) => {
            const a = Math.max(0, (Date.parse(c.aos) - t0) / (t1 - t0));
            const b = Math.min(1, (Date.parse(c.los) - t0) / (t1 - t0));
            const bar = el('div', {
              class: 'kamo-pass',
              title: `${st}: AOS ${c.aos}, LOS ${c.los}, max el ${fmt(c.max_elevation, 3)}°`
            });
            bar.style.left = `${(100 * a).toFixed(3)}%`;
            bar.style.width = `${Math.max(0.2, 100 * (b - a)).toFixed(3)}%`;
            track.appendChild(bar);
          });
        lane.appendChild(track);
        return lane;
      });
      const table = el('table', { class: 'kamo-table' }, [
        el('thead', {}, [
          el('tr', {}, ['Station', 'AOS', 'TCA', 'LOS', 'Max el (°)', 'Range (km)', 'bit/s'].map((c) => el('th', { text: c })))
        ]),
        el(
          'tbody',
          {},
          r.contacts.map((c) =>
            el('tr', {}, [
              el('td', { text: c.station }),
              el('td', { text: c.aos }),
              el('td', { text: c.tca }),
              el('td', { text: c.los }),
              el('td', { text: fmt(c.max_elevation, 3) }),
              el('td', { text: fmt(c.range_km_tca, 4) }),
              el('td', { text: fmt(c.data_rate_bps_tca, 3) })
            ])
          )
        )
      ]);
      this.body.replaceChildren(
        el('div', { class: 'kamo-summary', text: `${r.count} passes between ${r.start} and ${r.end}` }),
        el('div', { class: 'kamo-timeline' }, lanes),
        table
      );
    }

    destroy() {
      clearInterval(this.timer);
    }
  }

  /**
   * Commanding: pick a dictionary command, fill its arguments, send with a bearer token.
   *
   * The token lives in a password field and this object only: it is never written to
   * storage or the URL, and the page is not a <form> (nothing can submit it as a GET).
   * Client-side checks block what cannot be sent (no token, an empty or non-numeric value,
   * a fraction for an integer); a value outside the dictionary's range is flagged but sent,
   * so the server (the authority) refuses it with its reason and logs the attempt.
   */
  class Commanding {
    constructor(dictionary, sent) {
      this.commands = dictionary.commands || [];
      this.sent = sent;
      this.token = '';
      this.inputs = new Map();
    }

    show(element) {
      this.root = el('div', { class: 'kamo-panel kamo-commanding' }, [el('h2', { text: 'Commanding' })]);
      this.state = el('div', { class: 'kamo-summary kamo-cmd-state', text: 'checking whether commanding is on…' });
      this.select = el(
        'select',
        { class: 'kamo-cmd-select', 'aria-label': 'Command' },
        this.commands.map((c) => el('option', { value: c.name, text: c.name }))
      );
      this.select.addEventListener('change', () => {
        if (this.select.value !== this.shown) {
          this.renderArgs();
        }
      });
      this.about = el('div', { class: 'kamo-cmd-about' });
      this.argsBody = el('tbody');
      this.tokenInput = el('input', {
        class: 'kamo-cmd-token',
        type: 'password',
        autocomplete: 'off',
        spellcheck: 'false',
        'aria-label': 'Bearer token',
        placeholder: 'bearer token (kept in this page only)'
      });
      this.tokenInput.addEventListener('input', () => {
        this.token = this.tokenInput.value.trim();
      });
      this.sendButton = el('button', { class: 'c-button c-button--major kamo-cmd-send', type: 'button', text: 'Send' });
      this.sendButton.addEventListener('click', () => this.send());
      this.result = el('div', { class: 'kamo-cmd-result', 'data-outcome': 'none', role: 'status' });
      this.historyBody = el('tbody');
      this.root.append(
        this.state,
        el('div', { class: 'kamo-cmd-row' }, [el('label', { text: 'Command' }), this.select]),
        this.about,
        el('table', { class: 'kamo-table kamo-cmd-args' }, [
          el('thead', {}, [el('tr', {}, ['Argument', 'Value', 'Type', 'Valid', 'Units'].map((c) => el('th', { text: c })))]),
          this.argsBody
        ]),
        el('div', { class: 'kamo-cmd-row' }, [el('label', { text: 'Token' }), this.tokenInput, this.sendButton]),
        this.result,
        el('h3', { text: 'Sent from this page' }),
        el('table', { class: 'kamo-table kamo-cmd-history' }, [
          el('thead', {}, [
            el('tr', {}, ['Time (UTC)', 'Command', 'Arguments', 'Outcome', 'Detail'].map((c) => el('th', { text: c })))
          ]),
          this.historyBody
        ])
      );
      element.appendChild(this.root);
      this.renderArgs();
      this.renderHistory();
      this.checkStatus();
    }

    async checkStatus() {
      try {
        const st = await getJSON('/api/status');
        this.state.textContent = st.commanding
          ? 'commanding is on: commands are built from the dictionary, signed and queued by the server'
          : 'commanding is off on this server (start it with --token-file and --key-file); sending will be refused';
        this.state.dataset.commanding = String(Boolean(st.commanding));
      } catch (err) {
        this.state.textContent = `server status unavailable: ${err.message}`;
      }
    }

    command() {
      return this.commands.find((c) => c.name === this.select.value);
    }

    renderArgs() {
      const cmd = this.command();
      this.shown = this.select.value;
      this.inputs.clear();
      if (!cmd) {
        this.about.textContent = 'the dictionary has no commands';
        this.argsBody.replaceChildren();
        return;
      }
      this.about.textContent = `${cmd.description || cmd.name} — APID ${cmd.apid}, TC[${cmd.service},${cmd.subservice}]`;
      if (!cmd.arguments.length) {
        this.argsBody.replaceChildren(el('tr', {}, [el('td', { colspan: '5', text: 'no arguments' })]));
        return;
      }
      this.argsBody.replaceChildren(
        ...cmd.arguments.map((a) => {
          let input;
          if (a.type === 'enum' || a.type === 'bool') {
            const choices = a.type === 'enum' ? a.enumeration.map((e) => e.string) : ['false', 'true'];
            input = el('select', {}, [el('option', { value: '', text: '–' })].concat(choices.map((c) => el('option', { value: c, text: c }))));
          } else {
            input = el('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: a.range });
          }
          input.className = 'kamo-cmd-input';
          input.setAttribute('name', a.name);
          input.setAttribute('aria-label', a.name);
          const note = el('div', { class: 'kamo-cmd-note' });
          input.addEventListener('input', () => this.check(a, input, note));
          input.addEventListener('change', () => this.check(a, input, note));
          this.inputs.set(a.name, { arg: a, input: input, note: note });
          return el('tr', { 'data-arg': a.name }, [
            el('td', { text: a.name, title: a.description || '' }),
            el('td', {}, [input, note]),
            el('td', { text: `${a.type}${a.bits}` }),
            el('td', { text: a.range }),
            el('td', { text: a.units || '–' })
          ]);
        })
      );
    }

    /** {value} or {error} (blocks sending) with an optional {warning} (sent anyway). */
    parse(a, input) {
      const text = input.value.trim();
      if (text === '') {
        return { error: `${a.name}: no value` };
      }
      if (a.type === 'enum') {
        return { value: text };
      }
      if (a.type === 'bool') {
        return { value: text === 'true' };
      }
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
        return { error: `${a.name}: '${text}' is not a number` };
      }
      const value = Number(text);
      if ((a.type === 'uint' || a.type === 'int') && !Number.isInteger(value)) {
        return { error: `${a.name}: '${text}' is not an integer` };
      }
      const out = { value: value };
      if ((a.min !== null && a.min !== undefined && value < a.min) || (a.max !== null && a.max !== undefined && value > a.max)) {
        out.warning = `${a.name}=${text} is outside ${a.range}: the server will refuse it`;
      }
      return out;
    }

    check(a, input, note) {
      const p = this.parse(a, input);
      const text = input.value.trim() === '' ? '' : p.error || p.warning || '';
      note.textContent = text;
      note.className = `kamo-cmd-note ${p.error ? 'kamo-cmd-bad' : p.warning ? 'kamo-cmd-warn' : ''}`;
      return p;
    }

    showResult(outcome, text) {
      this.result.dataset.outcome = outcome;
      this.result.className = `kamo-cmd-result kamo-cmd-${outcome}`;
      this.result.textContent = text;
    }

    async send() {
      const cmd = this.command();
      if (!cmd) {
        return;
      }
      const args = {};
      const errors = [];
      this.inputs.forEach(({ arg, input, note }) => {
        const p = this.check(arg, input, note);
        if (p.error) {
          errors.push(p.error);
        } else {
          args[arg.name] = p.value;
        }
      });
      if (!this.token) {
        errors.unshift('no bearer token: enter the token the server was started with (--token-file)');
      }
      if (errors.length) {
        this.showResult('blocked', `not sent — ${errors.join('; ')}`);
        return;
      }
      this.sendButton.disabled = true;
      this.showResult('pending', `sending ${cmd.name}…`);
      const entry = { time_ms: Date.now(), command: cmd.name, args: args };
      try {
        const r = await fetch('/api/commands', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.token}` },
          body: JSON.stringify({ command: cmd.name, args: args }),
          cache: 'no-store',
          credentials: 'omit'
        });
        let body = {};
        try {
          body = await r.json();
        } catch (err) {
          body = { error: `HTTP ${r.status} (no JSON answer)` };
        }
        if (r.status === 202) {
          entry.outcome = 'queued';
          entry.detail = `auth seq ${body.auth_seq}, packet seq count ${body.seq_count}, ${body.length} octets, file ${body.file}`;
          this.showResult('queued', `${r.status} accepted: ${body.command} queued — ${entry.detail}`);
        } else {
          entry.outcome = `refused ${r.status}`;
          entry.detail = body.error || `HTTP ${r.status}`;
          this.showResult('refused', `${r.status} refused: ${entry.detail}`);
        }
        this.result.dataset.status = String(r.status);
      } catch (err) {
        entry.outcome = 'error';
        entry.detail = `no answer from the server: ${err.message}`;
        this.showResult('error', entry.detail);
      } finally {
        this.sendButton.disabled = false;
      }
      this.sent.unshift(entry);
      this.sent.splice(50);
      this.renderHistory();
    }

    renderHistory() {
      const argText = (args) =>
        Object.entries(args)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
      this.historyBody.replaceChildren(
        ...this.sent.map((e) =>
          el('tr', { class: e.outcome === 'queued' ? 'kamo-cmd-ok' : 'kamo-cmd-no' }, [
            el('td', { text: isoShort(e.time_ms) }),
            el('td', { text: e.command }),
            el('td', { text: argText(e.args) }),
            el('td', { text: e.outcome }),
            el('td', { text: e.detail })
          ])
        )
      );
    }

    destroy() {
      // the token goes with the view: nothing keeps it once the operator leaves
      this.token = '';
      if (this.tokenInput) {
        this.tokenInput.value = '';
      }
    }
  }

  global.KamoViews = { AlarmList, SpaceWeather, Contacts, Commanding };
  global.KamoPlugin = KamoPlugin;
  global.kamoClassify = classify;
})(window);
