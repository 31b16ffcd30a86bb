/*
 * Starts Open MCT with the kamo plugin. The time conductor opens on the span of the
 * archive (fixed mode); "Realtime" follows the local clock. URL parameters
 * (tc.mode, tc.startBound, ...) override both, as everywhere in Open MCT.
 */
(async function () {
  'use strict';
  const MINUTE = 60 * 1000;
  const HOUR = 60 * MINUTE;
  const [dictionary, status] = await Promise.all([
    fetch('/api/dictionary').then((r) => r.json()),
    fetch('/api/status').then((r) => r.json())
  ]);
  const spans = Object.values(status.packets || {}).filter((s) => s.start_ms !== undefined);
  let start = Date.now() - HOUR;
  let end = Date.now();
  if (spans.length) {
    start = Math.min(...spans.map((s) => s.start_ms));
    end = Math.max(...spans.map((s) => s.end_ms));
    const pad = Math.max(1000, 0.02 * (end - start));
    start -= pad;
    end += pad;
  }

  openmct.setAssetPath('/openmct');
  openmct.install(openmct.plugins.LocalStorage());
  openmct.install(openmct.plugins.MyItems());
  openmct.install(openmct.plugins.Espresso());
  openmct.install(openmct.plugins.UTCTimeSystem());
  openmct.install(
    openmct.plugins.Conductor({
      menuOptions: [
        { name: 'Fixed', timeSystem: 'utc', bounds: { start: start, end: end } },
        {
          name: 'Realtime',
          timeSystem: 'utc',
          clock: 'local',
          clockOffsets: { start: -15 * MINUTE, end: 30 * 1000 }
        }
      ]
    })
  );
  openmct.install(openmct.plugins.LADTable());
  openmct.install(openmct.plugins.Clock({ enableClockIndicator: true }));
  openmct.install(KamoPlugin({ dictionary: dictionary }));
  window.kamoStatus = status;
  const fromUrl = new URLSearchParams(window.location.hash.split('?')[1] || '').has('tc.mode');
  openmct.on('start', () => {
    if (!fromUrl && openmct.time.getMode() === 'fixed') {
      openmct.time.setBounds({ start: start, end: end });
    }
    window.kamoReady = true;
  });
  openmct.start(document.getElementById('app'));
})();
