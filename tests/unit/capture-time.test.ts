import { describe, expect, test } from 'vitest'
import {
  captureTimes,
  DEFAULT_CLOCK,
  formatWithOffset,
  parseIso6709,
  parseTimeString,
  timeFromFileName,
} from '../../electron/core/ingest/capture-time.ts'
import { parseLsblk } from '../../electron/core/devices/detect.ts'

const now = new Date('2026-11-23T08:00:00Z')

describe('capture times', () => {
  test('EXIF time without a zone is device local time', () => {
    const t = captureTimes(parseTimeString('2004:06:26 12:36:46', 'exif'), null, DEFAULT_CLOCK, now, null)
    expect(t.captureStart).toBe('2004-06-26T12:36:46+08:00')
    expect(t.captureEnd).toBe(t.captureStart)
  })

  test('a body camera "UTC" stamp is local wall time unless the device is set to utc', () => {
    const raw = parseTimeString('2026-11-20T08:30:15.000000Z', 'container')
    expect(captureTimes(raw, 2000, DEFAULT_CLOCK, now, null)).toMatchObject({
      captureStart: '2026-11-20T08:30:15+08:00',
      captureEnd: '2026-11-20T08:30:17+08:00',
    })
    expect(captureTimes(raw, 0, { ...DEFAULT_CLOCK, clockMode: 'utc' }, now, null).captureStart).toBe(
      '2026-11-20T08:30:15+00:00',
    )
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
