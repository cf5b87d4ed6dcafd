import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  captureTimes,
  DEFAULT_CLOCK,
  formatWithOffset,
  parseIso6709,
  parseTimeString,
  reconcile,
  timeFromFileName,
  validDate,
} from '../../electron/core/ingest/capture-time.ts'
import { avchdTime, mdpmTime, riffTimes } from '../../electron/core/ingest/time-readers.ts'
import { matroskaDateUtc, readFacts } from '../../electron/core/ingest/metadata.ts'
import { noise } from '../helpers/media.ts'
import { tempDir } from '../helpers/bridge.ts'
import { parseLsblk } from '../../electron/core/devices/detect.ts'

const now = new Date('2026-11-23T08:00:00Z')

describe('capture times', () => {
  test('EXIF time without a zone is device local time', () => {
    const t = captureTimes(parseTimeString('2004:06:26 12:36:46', 'exif'), null, DEFAULT_CLOCK, now, null)
    expect(t.captureStart).toBe('2004-06-26T12:36:46+08:00')
    expect(t.captureEnd).toBe(t.captureStart)
  })

  test('a "UTC" stamp is UTC by the format, local wall time only on a device registered local', () => {
    const raw = parseTimeString('2026-11-20T08:30:15.000000Z', 'container')
    expect(captureTimes(raw, 2000, DEFAULT_CLOCK, now, null)).toMatchObject({
      captureStart: '2026-11-20T08:30:15+00:00',
      captureEnd: '2026-11-20T08:30:17+00:00',
    })
    const local = { ...DEFAULT_CLOCK, clockMode: 'local' as const, clockModeKnown: true }
    expect(captureTimes(raw, 0, local, now, null).captureStart).toBe('2026-11-20T08:30:15+08:00')
  })

  test('an explicit offset is honoured, and the device clock offset is taken off', () => {
    const raw = parseTimeString('2026:11:20 08:30:15+09:00', 'exif')
    const t = captureTimes(raw, null, { ...DEFAULT_CLOCK, clockOffsetMs: 120_000 }, now, null)
    expect(t.rawCaptureStart).toBe('2026-11-20T08:30:15+09:00')
    expect(t.captureStart).toBe('2026-11-20T08:28:15+09:00')
    expect(t.startMs).toBe(Date.parse('2026-11-19T23:28:15Z'))
  })

  test('implausible times are flagged: before 2000 and in the future', () => {
    expect(
      captureTimes(parseTimeString('1970:01:01 00:00:00', 'exif'), null, DEFAULT_CLOCK, now, null)
        .implausible,
    ).toBe(true)
    expect(
      captureTimes(parseTimeString('2027:06:01 00:00:00', 'exif'), null, DEFAULT_CLOCK, now, null)
        .implausible,
    ).toBe(true)
    expect(
      captureTimes(parseTimeString('2026:11:22 00:00:00', 'exif'), null, DEFAULT_CLOCK, now, null)
        .implausible,
    ).toBe(false)
  })

  test('without any reading the file time is used and said to be so', () => {
    const t = captureTimes(null, null, DEFAULT_CLOCK, now, Date.parse('2026-11-20T00:00:00Z'))
    expect(t).toMatchObject({ source: 'file_mtime', captureStart: '2026-11-20T08:00:00+08:00' })
  })

  test.each([
    ['ZD_20261120083015_0001.MP4', '2026-11-20T08:30:15+08:00'],
    ['IMG_20261120_083015.jpg', '2026-11-20T08:30:15+08:00'],
    ['2026-11-20 08-30-15.wav', '2026-11-20T08:30:15+08:00'],
    ['VID20261120083015.mp4', '2026-11-20T08:30:15+08:00'],
  ])('file name %s', (name, expected) => {
    expect(captureTimes(timeFromFileName(name), null, DEFAULT_CLOCK, now, null).captureStart).toBe(expected)
  })

  test('names without a valid time give none', () => {
    expect(timeFromFileName('DSC_0001.JPG')).toBeNull()
    expect(timeFromFileName('20261350_999999.mp4')).toBeNull()
  })

  test.each([
    '20260231_101010.mp4',
    '20250229_101010.mp4',
    '20261131_101010.mp4',
    '20261120_240000.mp4',
    '20261120_235960.mp4',
  ])('an impossible date or time in a name is refused, never rolled over: %s', (name) => {
    expect(timeFromFileName(name)).toBeNull()
  })

  test('impossible dates in metadata are refused too; 29 February of a leap year is not', () => {
    expect(parseTimeString('2026:02:29 10:00:00', 'exif')).toBeNull()
    expect(parseTimeString('2026-04-31T10:00:00Z', 'container')).toBeNull()
    expect(parseTimeString('2024:02:29 10:00:00', 'exif')).not.toBeNull()
    expect(timeFromFileName('20240229_101010.mp4')).not.toBeNull()
  })

  test('ISO 6709 locations', () => {
    expect(parseIso6709('+26.0745+119.2965/')).toEqual({ latitude: 26.0745, longitude: 119.2965 })
    expect(parseIso6709('-33.8688+151.2093+012.5/')).toEqual({
      latitude: -33.8688,
      longitude: 151.2093,
      altitude: 12.5,
    })
    expect(parseIso6709('nonsense')).toBeNull()
  })

  test('offsets are written as ISO 8601', () => {
    expect(formatWithOffset(Date.parse('2026-01-01T00:00:00Z'), -300)).toBe('2025-12-31T19:00:00-05:00')
  })
})

describe('comparing the readings of one file', () => {
  const name = timeFromFileName('20261120_083015_0001.MP4')!
  const utcStamp = parseTimeString('2026-11-20T00:30:15Z', 'container')!
  const localStamp = parseTimeString('2026-11-20T08:30:15Z', 'container')!

  test('a stamp that matches the name once read as UTC: the device writes UTC, inferred and said', () => {
    const v = reconcile([name, utcStamp], DEFAULT_CLOCK, 2000, now)
    expect(v).toMatchObject({ zoneMeaning: 'utc', conflict: null })
    expect(v.inferred).toEqual({ clockMode: 'utc', utcOffsetMin: 480, basis: ['container', 'file_name'] })
    expect(v.chosen?.source).toBe('container')
  })

  test('a stamp that matches the name as wall time: the device writes local time into the UTC field', () => {
    const v = reconcile([localStamp, name], DEFAULT_CLOCK, 2000, now)
    expect(v).toMatchObject({ zoneMeaning: 'local', conflict: null, inferred: { clockMode: 'local' } })
  })

  test('a creation_time written when the file closed still agrees with a name given at the start', () => {
    const closed = parseTimeString('2026-11-20T00:40:15Z', 'container')!
    expect(reconcile([closed, name], DEFAULT_CLOCK, 600_000, now)).toMatchObject({
      inferred: { clockMode: 'utc' },
      conflict: null,
    })
  })

  test('a registered mode is obeyed: a file contradicting it is a conflict with both values, and a suggestion', () => {
    const v = reconcile([utcStamp, name], { ...DEFAULT_CLOCK, clockModeKnown: true }, 2000, now)
    expect(v.zoneMeaning).toBe('local')
    expect(v.inferred?.clockMode).toBe('utc')
    expect(v.conflict).toMatchObject({
      chosen: { source: 'container', value: '2026-11-20T00:30:15+08:00' },
      other: { source: 'file_name', value: '2026-11-20T08:30:15+08:00' },
      differenceSeconds: 8 * 3600,
    })
  })

  test('a disagreement no zone explains keeps the most trustworthy and returns both', () => {
    const exif = parseTimeString('2026:11:20 10:00:00', 'exif')!
    const v = reconcile([name, exif], DEFAULT_CLOCK, null, now)
    expect(v.chosen?.source).toBe('exif')
    expect(v.inferred).toBeNull()
    expect(v.conflict).toMatchObject({ chosen: { source: 'exif' }, other: { source: 'file_name' } })
  })

  test('a dead-battery date (before 2000) gives way to a plausible reading, without a conflict', () => {
    const reset = parseTimeString('1999-12-31T16:00:00Z', 'container')!
    const v = reconcile([reset, name], DEFAULT_CLOCK, null, now)
    expect(v.chosen?.source).toBe('file_name')
    expect(v.conflict).toBeNull()
    expect(v.readings.find((r) => r.source === 'container')?.plausible).toBe(false)
  })
})

describe('removable volumes', () => {
  test('lsblk output: USB partitions that are mounted, by UUID', () => {
    const json = JSON.stringify({
      blockdevices: [
        {
          name: 'vda',
          path: '/dev/vda',
          rm: false,
          hotplug: false,
          tran: null,
          mountpoints: ['/'],
          size: 1e11,
        },
        {
          name: 'sdb',
          path: '/dev/sdb',
          rm: true,
          hotplug: true,
          tran: 'usb',
          serial: 'ZFJLY123',
          vendor: 'HIKVISION',
          model: 'DSMH2',
          mountpoints: [null],
          children: [
            {
              name: 'sdb1',
              path: '/dev/sdb1',
              rm: true,
              uuid: '1A2B-3C4D',
              label: 'ZFJLY',
              mountpoints: ['/media/u/ZFJLY'],
              size: 64e9,
            },
          ],
        },
        { name: 'sdc', path: '/dev/sdc', rm: true, tran: 'usb', serial: 'X', mountpoints: [null] },
      ],
    })
    expect(parseLsblk(json)).toEqual([
      {
        identity: 'uuid:1A2B-3C4D',
        mountPoint: '/media/u/ZFJLY',
        label: 'ZFJLY',
        vendor: 'HIKVISION',
        model: 'DSMH2',
        serial: 'ZFJLY123',
        sizeBytes: 64e9,
      },
    ])
    expect(parseLsblk('not json')).toEqual([])
  })
})

describe('the format readers against damaged and hostile files', () => {
  const dir = tempDir('liuhen-fuzz-')
  const write = (name: string, data: Buffer) => {
    const f = path.join(dir, name)
    fs.writeFileSync(f, data)
    return f
  }

  test('RIFF: random chunks, lying lengths and truncation never throw, and give only real dates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.nat(0xffffffff), async (body, len) => {
        const head = Buffer.from('RIFF\0\0\0\0WAVE', 'latin1')
        head.writeUInt32LE(len, 4)
        const times = await riffTimes(write('fuzz.wav', Buffer.concat([head, Buffer.from(body)])))
        for (const t of times) expect(validDate(t.y, t.mo, t.d, t.h, t.mi, t.s)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  test('MPEG-TS: random packets and MDPM payloads never throw, and give only real dates', async () => {
    const mdpm = Buffer.from('17ee8c60f84d11d98cd60800200c9a664d44504d', 'hex')
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 187, maxLength: 187 }), { maxLength: 8 }),
        fc.uint8Array({ maxLength: 40 }),
        async (packets, tail) => {
          const ts = Buffer.concat(
            packets.map((p, i) =>
              Buffer.concat([
                Buffer.from([0x47]),
                i === 1
                  ? Buffer.concat([Buffer.from(p.subarray(0, 3)), mdpm, Buffer.from(tail)]).subarray(0, 187)
                  : Buffer.from(p),
              ]),
            ),
          )
          const t = await avchdTime(write('fuzz.mts', ts))
          if (t) expect(validDate(t.y, t.mo, t.d, t.h, t.mi, t.s)).toBe(true)
          const direct = mdpmTime(Buffer.concat([mdpm, Buffer.from(tail)]))
          if (direct)
            expect(validDate(direct.y, direct.mo, direct.d, direct.h, direct.mi, direct.s)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  // Seeds whose noise ffprobe takes for a raw H.263 stream (probe score 25, picture size 0x0) and for LRC lyrics
  // (score 5): an ingest test drew such noise now and then and saw a corrupt file called readable.
  test.each([
    ['guess-328', 'h263'],
    ['guess-72', 'lrc'],
  ])('noise ffprobe guesses a format for (%s, %s) is still unreadable, with no time', async (seed, guess) => {
    const file = write(`${seed}.mov`, noise(300_000, seed))
    const named = execFileSync(
      'ffprobe',
      ['-v', 'quiet', '-show_entries', 'format=format_name', '-of', 'csv=p=0', file],
      { encoding: 'utf8' },
    ).trim()
    expect(named).toBe(guess) // the outside tool really guesses; without this the check could not fire
    const facts = await readFacts(file, 'video')
    expect(facts).toMatchObject({ readable: false, time: null, durationMs: null })
  })

  test('a Matroska date is read only in a file that is Matroska', () => {
    // DateUTC 2026-11-20T00:30:15Z: id 44 61, size 88 (8 bytes), nanoseconds since 2001.
    const dateUtc = Buffer.from('446188' + '0b55f434c9e02600', 'hex')
    const inNoise = Buffer.concat([noise(1000, 'mkv'), dateUtc, noise(100, 'tail')])
    expect(matroskaDateUtc(inNoise)).toBeNull()
    const ebml = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), inNoise.subarray(4)])
    expect(matroskaDateUtc(ebml)?.text).toBe('2026-11-20T00:30:15.000Z')
  })

  test('an MDPM date that is not BCD or not a day (31 February) is refused', () => {
    const mdpm = Buffer.from('17ee8c60f84d11d98cd60800200c9a664d44504d', 'hex')
    const make = (date: number[], time: number[]) =>
      mdpmTime(Buffer.concat([mdpm, Buffer.from([2, 0x18, 0x10, ...date, 0x19, ...time])]))
    expect(make([0x20, 0x26, 0x11], [0x20, 0x08, 0x30, 0x15])?.text).toBe('2026:11:20 08:30:15+08:00')
    expect(make([0x20, 0x26, 0x02], [0x31, 0x08, 0x30, 0x15])).toBeNull()
    expect(make([0x20, 0x26, 0x1a], [0x20, 0x08, 0x30, 0x15])).toBeNull()
    expect(make([0x20, 0x26, 0x11], [0x20, 0x25, 0x30, 0x15])).toBeNull()
  })
})
