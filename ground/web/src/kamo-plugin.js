/*
 * kamo plugin for Open MCT (plain JavaScript, no build step).
 *
 * - object tree: a "kamo" root with the alarm list, the space-weather panel, the
 *   contacts timeline, and one folder per packet type holding its parameters, all
 *   from GET /api/dictionary;
 * - telemetry: historical provider on GET /api/history/{parameter} (follows the
 *   pages), realtime provider on the server-sent events of GET /api/realtime;
 * - limits: an Open MCT limit evaluator from the dictionary's yellow/red limits,
 *   so plots draw limit lines and tables colour out-of-limit values;
 * - views for the alarm list, space weather and contacts (plain DOM).
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
      const rootChildren = [ident('alarms'), ident('spaceweather'), ident('contacts')];
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
        ['kamo.contacts.view', 'Contacts timeline', 'kamo.contacts', () => new views.Contacts(openmct)]
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

  global.KamoViews = { AlarmList, SpaceWeather, Contacts };
  global.KamoPlugin = KamoPlugin;
  global.kamoClassify = classify;
})(window);
